package io.berth.server.error;

/**
 * A request that needs (other) credentials: {@code UNAUTHORIZED}, or {@code DENIED} for a token that lacks
 * the scope, which a client answers by asking for a new token. It carries the challenge that tells the
 * client how to authenticate, such as {@code Bearer realm="...",service="...",scope="..."}.
 */
public final class AuthenticationRequiredException extends RegistryException {

    /** The challenge of the admin API and the token endpoint, which take a user name and password. */
    public static final String BASIC = "Basic realm=\"berth\"";

    private final String challenge;

    public AuthenticationRequiredException(OciErrorCode code, String message, String challenge) {
        super(code, message);
        this.challenge = challenge;
    }

    /** Returns the challenge: the authentication scheme and its parameters. */
    public String challenge() {
        return challenge;
    }
}
