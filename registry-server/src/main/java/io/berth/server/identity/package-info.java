/**
 * Keycloak as Berth's external identity provider: {@link io.berth.server.identity.KeycloakIdentityProvider}
 * checks Keycloak usernames and passwords (OAuth2 password grant) and Keycloak access tokens for the
 * {@code auth} module, which creates and updates the accounts. It lives in the server because only the
 * server speaks HTTP. Token signatures are checked by a quarkus-oidc tenant that Berth registers itself
 * ({@link io.berth.server.identity.KeycloakOidcTenant}); that tenant guards no endpoint. Without
 * {@code berth.auth.keycloak.url} nothing here acts.
 */
package io.berth.server.identity;
