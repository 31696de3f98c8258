/**
 * Errors as the distribution spec shapes them: the codes ({@link io.berth.server.api.error.OciErrorCode}),
 * the exception services throw ({@link io.berth.server.api.error.RegistryException}), and the one place
 * that turns any failure into {@code {"errors":[{"code","message","detail"}]}}
 * ({@link io.berth.server.api.error.RegistryExceptionMappers}).
 */
package io.berth.server.api.error;
