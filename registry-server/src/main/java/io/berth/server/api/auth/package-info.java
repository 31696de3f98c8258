/**
 * Authentication over HTTP: the {@code /token} endpoint of the Docker token protocol, the check of every
 * {@code /v2} request (Bearer tokens and HTTP Basic) with its challenges, and the caller's access as the
 * resources see it.
 */
package io.berth.server.api.auth;
