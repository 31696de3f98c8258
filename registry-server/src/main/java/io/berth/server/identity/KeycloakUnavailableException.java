package io.berth.server.identity;

/**
 * Keycloak could not be asked: it did not answer in time, refused the connection, or failed itself. The
 * login is neither accepted nor counted as failed; the client gets a 503 and may retry.
 */
public class KeycloakUnavailableException extends RuntimeException {

    public KeycloakUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public KeycloakUnavailableException(String message) {
        super(message);
    }
}
