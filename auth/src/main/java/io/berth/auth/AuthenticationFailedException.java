package io.berth.auth;

/** Credentials that do not identify an account that may log in now. The message never holds the secret. */
public class AuthenticationFailedException extends RuntimeException {

    public AuthenticationFailedException(String message) {
        super(message);
    }
}
