package io.berth.auth;

import java.util.Optional;

/**
 * An identity provider that checks credentials Berth does not hold itself, such as Keycloak. The
 * registry server supplies the implementation (it speaks HTTP to the provider); without one, only
 * local accounts log in.
 */
public interface ExternalIdentityProvider {

    /** Returns whether the provider is configured. */
    boolean enabled();

    /**
     * Checks a username and a password, or an access token of the provider given as the password;
     * empty when the provider does not accept them.
     */
    Optional<ExternalIdentity> authenticate(String username, String password);

    /** Checks an access token of the provider (a bearer token on the admin API); empty when it is not valid. */
    Optional<ExternalIdentity> verifyAccessToken(String accessToken);
}
