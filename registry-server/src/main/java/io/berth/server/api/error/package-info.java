/**
 * The one place where failures become answers in the distribution spec's format,
 * {@code {"errors":[{"code","message","detail"}]}}: {@link io.berth.server.api.error.RegistryExceptionMappers}
 * turns every kind of {@link io.berth.server.error.RegistryException} (status and headers included) and the
 * failures of the other modules into answers, and {@link io.berth.server.api.error.ErrorResponse} is the body.
 */
package io.berth.server.api.error;
