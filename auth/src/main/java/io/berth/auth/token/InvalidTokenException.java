package io.berth.auth.token;

/** A token that is not accepted: a bad signature, an unknown key, expired, for another audience... */
public class InvalidTokenException extends RuntimeException {

    public InvalidTokenException(String message) {
        super(message);
    }
}
