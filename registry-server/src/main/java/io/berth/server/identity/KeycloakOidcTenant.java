package io.berth.server.identity;

import io.quarkus.oidc.Oidc;
import io.quarkus.oidc.OidcTenantConfig;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Creates the quarkus-oidc tenant that verifies Keycloak access tokens, from {@code berth.auth.keycloak.*}
 * and only when a realm URL is set.
 *
 * <p>Why a programmatic tenant rather than {@code quarkus.oidc.*} in application.properties: quarkus-oidc
 * refuses to start with an enabled tenant that has no server URL, and a property expression cannot turn
 * {@code tenant-enabled} off when {@code berth.auth.keycloak.url} is absent. So the default tenant stays
 * disabled (application.properties) and this named tenant exists only when Keycloak is configured. Nothing
 * selects it for HTTP requests: it is used solely through {@code @Tenant(KeycloakOidcTenant.ID)
 * TenantIdentityProvider} in {@link KeycloakIdentityProvider}.
 */
@Singleton
public class KeycloakOidcTenant {

    /** The quarkus-oidc tenant id. */
    public static final String ID = "keycloak";

    private static final Logger LOG = Logger.getLogger(KeycloakOidcTenant.class);

    void register(@Observes Oidc oidc, KeycloakConfig config) {
        config.realmUrl().ifPresent(realm -> {
            oidc.create(OidcTenantConfig.authServerUrl(realm)
                    .tenantId(ID)
                    .clientId(config.clientId())
                    .connectionTimeout(config.timeout())
                    .token()
                        // Keycloak names its realm URL as the issuer; a token of any other realm is refused.
                        .issuer(realm)
                        .principalClaim("preferred_username")
                        // Signatures are checked against the realm's published keys only: no round trip to
                        // Keycloak's introspection endpoint for tokens whose key is unknown, nor for opaque ones.
                        .allowJwtIntrospection(false)
                        .allowOpaqueTokenIntrospection(false)
                        .end()
                    .build());
            LOG.infof("Keycloak logins are on: realm %s, client %s", realm, config.clientId());
        });
    }
}
