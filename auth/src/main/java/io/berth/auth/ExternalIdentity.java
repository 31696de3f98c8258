package io.berth.auth;

import java.util.Map;

/**
 * A user as an external identity provider (Keycloak) describes them after checking their credentials.
 *
 * @param provider the provider's name, recorded on the account ({@code keycloak})
 * @param username the user's name, which becomes the Berth account and personal namespace
 * @param roles namespace roles the provider grants (from its groups or client roles)
 * @param administrator whether the provider makes the user a registry administrator
 */
public record ExternalIdentity(String provider, String username, Map<String, Role> roles, boolean administrator) {

    public ExternalIdentity {
        roles = Map.copyOf(roles);
    }
}
