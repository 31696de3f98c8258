package io.berth.server.identity;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Keycloak as identity provider: {@code berth.auth.keycloak.*}, or {@code BERTH_AUTH_KEYCLOAK_*} in the
 * environment. Keycloak logins are on exactly when {@link #url()} is set.
 */
@ConfigMapping(prefix = "berth.auth.keycloak")
public interface KeycloakConfig {

    String URL = "berth.auth.keycloak.url";
    String CLIENT_ID = "berth.auth.keycloak.client-id";
    String CLIENT_SECRET = "berth.auth.keycloak.client-secret";
    String ADMIN_ROLE = "berth.auth.keycloak.admin-role";
    String TIMEOUT = "berth.auth.keycloak.timeout";

    /**
     * The realm's URL, such as {@code https://keycloak.example.com/realms/berth}: the issuer of its tokens,
     * under which Berth finds the discovery document, the signing keys and the token endpoint.
     */
    Optional<String> url();

    /** The Keycloak client that stands for Berth: passwords are checked through it, and tokens must be issued for it. */
    @WithDefault("berth")
    String clientId();

    /** The client's secret, for a confidential client (the usual case). */
    Optional<String> clientSecret();

    /**
     * The role that makes a user a registry administrator: a realm role, or a client role of
     * {@link #clientId()}.
     */
    @WithDefault("berth-admin")
    String adminRole();

    /** How long Berth waits for Keycloak on each call before it answers 503. */
    @WithDefault("10s")
    Duration timeout();

    /** Returns the realm URL without a trailing slash, as it appears in the tokens' {@code iss} claim. */
    default Optional<String> realmUrl() {
        return url().map(String::trim).filter(url -> !url.isEmpty()).map(url -> url.replaceAll("/+$", ""));
    }
}
