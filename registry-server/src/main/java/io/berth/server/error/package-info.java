/**
 * Why the registry refuses a request, in the distribution spec's terms and without HTTP: the error codes
 * ({@link io.berth.server.error.OciErrorCode}) and the closed hierarchy of
 * {@link io.berth.server.error.RegistryException} that domain values, services and filters throw. Only
 * {@code io.berth.server.api.error} turns them into answers, headers included.
 */
package io.berth.server.error;
