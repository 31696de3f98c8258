package io.berth.server.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.auth.ExternalIdentity;
import io.berth.auth.ExternalIdentityProvider;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.Tenant;
import io.quarkus.oidc.TenantIdentityProvider;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

/**
 * Keycloak users as Berth users. A username and password are checked with Keycloak's token endpoint (the
 * OAuth2 password grant through Berth's client); a password that is itself a Keycloak access token is
 * verified as one. Access tokens are verified locally by quarkus-oidc ({@link KeycloakOidcTenant}): the
 * signature against the realm's published keys, the issuer (the realm URL) and the expiry; Berth then
 * requires the token to be issued for its client ({@code azp} or {@code aud} is the client id).
 *
 * <p>What a token grants:
 * <ul>
 * <li>the username is the {@code preferred_username} claim;
 * <li>groups (the {@code groups} claim of a group-membership mapper) and client roles of Berth's client
 * named {@code <namespace>:<role>} grant namespace roles ({@link KeycloakRoleMapping});
 * <li>the realm role or client role {@code berth.auth.keycloak.admin-role} makes the user an administrator.
 * </ul>
 *
 * <p>Calls are blocking and come from worker threads (the token endpoint and the request filters). A
 * Keycloak that does not answer, or answers with an error of its own, becomes a
 * {@link KeycloakUnavailableException} (503), never a failed login. Passwords and tokens are never logged.
 */
@ApplicationScoped
public class KeycloakIdentityProvider implements ExternalIdentityProvider {

    /** The provider's name on the accounts it creates. */
    public static final String PROVIDER = "keycloak";

    private static final Logger LOG = Logger.getLogger(KeycloakIdentityProvider.class);
    /** A JWS in compact form: three base64url parts. No password anyone types looks like this. */
    private static final Pattern COMPACT_JWS = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    /** Keycloak's {@code typ} claim on access tokens; ID tokens say {@code ID}. */
    private static final String ACCESS_TOKEN_TYPE = "Bearer";

    private final KeycloakConfig config;
    private final TenantIdentityProvider tokenVerifier;
    private final ObjectMapper json;
    private final HttpClient http;

    public KeycloakIdentityProvider(KeycloakConfig config, @Tenant(KeycloakOidcTenant.ID) TenantIdentityProvider tokenVerifier,
            ObjectMapper json) {
        this.config = config;
        this.tokenVerifier = tokenVerifier;
        this.json = json;
        this.http = HttpClient.newBuilder().connectTimeout(config.timeout()).build();
    }

    @PreDestroy
    void close() {
        http.close();
    }

    @Override
    public boolean enabled() {
        return config.realmUrl().isPresent();
    }

    @Override
    public Optional<ExternalIdentity> authenticate(String username, String password) {
        if (!enabled() || username.isEmpty() || password.isEmpty()) {
            return Optional.empty();
        }
        if (COMPACT_JWS.matcher(password).matches()) {
            // Keycloak normalises usernames to lower case and matches logins without regard to case.
            return verifyAccessToken(password).filter(identity -> identity.username().equalsIgnoreCase(username));
        }
        return passwordGrant(username, password).flatMap(accessToken -> {
            Optional<ExternalIdentity> identity = verifyAccessToken(accessToken);
            if (identity.isEmpty()) {
                LOG.warnf("Keycloak accepted the password of %s but Berth refused the token it issued: check that %s is"
                        + " the realm URL Keycloak names as issuer", username, KeycloakConfig.URL);
            }
            return identity;
        });
    }

    @Override
    public Optional<ExternalIdentity> verifyAccessToken(String accessToken) {
        if (!enabled()) {
            return Optional.empty();
        }
        SecurityIdentity verified;
        try {
            verified = tokenVerifier.authenticate(new AccessTokenCredential(accessToken)).await().atMost(config.timeout());
        } catch (AuthenticationFailedException e) {
            LOG.debugf("Refused a Keycloak token: %s", e.getMessage());
            return Optional.empty();
        } catch (RuntimeException e) {
            // Not a verdict on the token: the realm's keys could not be fetched (Keycloak down, or slower than
            // the timeout).
            throw new KeycloakUnavailableException("Keycloak could not be reached to verify a token: " + e, e);
        }
        if (!(verified.getPrincipal() instanceof JsonWebToken token)) {
            return Optional.empty();
        }
        return identityOf(token);
    }

    private Optional<ExternalIdentity> identityOf(JsonWebToken token) {
        String clientId = config.clientId();
        String type = token.getClaim("typ");
        if (type != null && !ACCESS_TOKEN_TYPE.equalsIgnoreCase(type)) {
            LOG.debugf("Refused a Keycloak token of type %s: only access tokens log in", type);
            return Optional.empty();
        }
        Set<String> audience = token.getAudience() == null ? Set.of() : token.getAudience();
        if (!clientId.equals(token.getClaim("azp")) && !audience.contains(clientId)) {
            LOG.debugf("Refused a Keycloak token issued for %s (audience %s), not for %s", token.<String>getClaim("azp"),
                    audience, clientId);
            return Optional.empty();
        }
        String username = token.getClaim("preferred_username");
        if (username == null || username.isBlank()) {
            LOG.debugf("Refused a Keycloak token without preferred_username");
            return Optional.empty();
        }
        List<String> realmRoles = roles(token.getClaim("realm_access"));
        List<String> clientRoles = token.getClaim("resource_access") instanceof JsonObject resourceAccess
                ? roles(resourceAccess.get(clientId))
                : List.of();
        Set<String> groups = token.getGroups() == null ? Set.of() : token.getGroups();
        boolean administrator = realmRoles.contains(config.adminRole()) || clientRoles.contains(config.adminRole());
        return Optional.of(new ExternalIdentity(PROVIDER, username,
                KeycloakRoleMapping.namespaceRoles(groups, clientRoles), administrator));
    }

    /** Returns the {@code roles} array of {@code realm_access} or of one client in {@code resource_access}. */
    private static List<String> roles(Object access) {
        if (access instanceof JsonObject object && object.get("roles") instanceof JsonArray roles) {
            return roles.stream()
                    .filter(role -> role.getValueType() == JsonValue.ValueType.STRING)
                    .map(role -> ((JsonString) role).getString())
                    .toList();
        }
        return List.of();
    }

    /**
     * Asks Keycloak's token endpoint for an access token with the user's password; empty when Keycloak refuses
     * the credentials.
     */
    private Optional<String> passwordGrant(String username, String password) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", config.clientId());
        config.clientSecret().ifPresent(secret -> form.put("client_secret", secret));
        form.put("username", username);
        form.put("password", password);
        form.put("scope", "openid");
        HttpRequest request = HttpRequest.newBuilder(URI.create(config.realmUrl().orElseThrow() + "/protocol/openid-connect/token"))
                .timeout(config.timeout())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(formEncoded(form)))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new KeycloakUnavailableException("Keycloak's token endpoint did not answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeycloakUnavailableException("interrupted while waiting for Keycloak", e);
        }
        int status = response.statusCode();
        if (status == 200) {
            return Optional.ofNullable(readJson(response.body()).path("access_token").textValue());
        }
        if (status == 400 || status == 401) {
            JsonNode refusal = readJson(response.body());
            String error = refusal.path("error").asText("");
            String description = refusal.path("error_description").asText("");
            if (error.equals("invalid_client") || error.equals("unauthorized_client")) {
                // Every Keycloak login fails until the operator fixes Berth's client settings: say so loudly.
                LOG.warnf("Keycloak refused Berth's client %s (%s: %s): check %s and %s", config.clientId(), error,
                        description, KeycloakConfig.CLIENT_ID, KeycloakConfig.CLIENT_SECRET);
            } else {
                LOG.debugf("Keycloak refused the password of %s (%s: %s)", username, error, description);
            }
            return Optional.empty();
        }
        throw new KeycloakUnavailableException("Keycloak's token endpoint answered HTTP " + status);
    }

    private JsonNode readJson(String body) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            throw new KeycloakUnavailableException("Keycloak's token endpoint answered something other than JSON", e);
        }
    }

    private static String formEncoded(Map<String, String> form) {
        return form.entrySet().stream()
                .map(field -> URLEncoder.encode(field.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(field.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
