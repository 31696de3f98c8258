package io.berth.server.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.oidc.OIDCException;
import io.quarkus.oidc.TenantIdentityProvider;
import io.quarkus.security.AuthenticationFailedException;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the provider makes of Keycloak's failures, without a Keycloak: a refusal is a failed login, an outage is not. */
class KeycloakIdentityProviderTest {

    private static final String JWT_SHAPED = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    private static final TenantIdentityProvider REFUSING =
            token -> Uni.createFrom().failure(new AuthenticationFailedException("bad signature"));

    private HttpServer tokenEndpoint;
    private final AtomicInteger status = new AtomicInteger();
    private final AtomicReference<String> body = new AtomicReference<>("");

    @BeforeEach
    void startTokenEndpoint() throws IOException {
        tokenEndpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        tokenEndpoint.createContext("/realms/berth/protocol/openid-connect/token", exchange -> {
            byte[] answer = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status.get(), answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        tokenEndpoint.start();
    }

    @AfterEach
    void stopTokenEndpoint() {
        tokenEndpoint.stop(0);
    }

    @Test
    void withoutARealmUrlTheProviderIsOff() {
        KeycloakIdentityProvider provider = provider(Optional.empty(), REFUSING);
        assertFalse(provider.enabled());
        assertEquals(Optional.empty(), provider.authenticate("kc-dev", "password"));
        assertEquals(Optional.empty(), provider.verifyAccessToken(JWT_SHAPED));
    }

    @Test
    void refusedCredentialsAreAFailedLogin() {
        status.set(401);
        body.set("{\"error\":\"invalid_grant\",\"error_description\":\"Invalid user credentials\"}");
        assertEquals(Optional.empty(), provider(realmUrl(), REFUSING).authenticate("kc-dev", "wrong"));
        status.set(400);
        body.set("{\"error\":\"invalid_grant\",\"error_description\":\"Account is not fully set up\"}");
        assertEquals(Optional.empty(), provider(realmUrl(), REFUSING).authenticate("kc-dev", "wrong"));
    }

    @Test
    void aFailingKeycloakIsAnOutage() {
        status.set(503);
        body.set("unavailable");
        assertThrows(KeycloakUnavailableException.class, () -> provider(realmUrl(), REFUSING).authenticate("kc-dev", "password"));
    }

    @Test
    void anUnreachableKeycloakIsAnOutage() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        KeycloakIdentityProvider provider = provider(Optional.of("http://127.0.0.1:" + closedPort + "/realms/berth"), REFUSING);
        assertThrows(KeycloakUnavailableException.class, () -> provider.authenticate("kc-dev", "password"));
    }

    @Test
    void anInvalidTokenIsRefusedButUnverifiableOneIsAnOutage() {
        assertEquals(Optional.empty(), provider(realmUrl(), REFUSING).verifyAccessToken(JWT_SHAPED));
        // A token as password is verified, never sent to the token endpoint.
        assertEquals(Optional.empty(), provider(realmUrl(), REFUSING).authenticate("kc-dev", JWT_SHAPED));
        TenantIdentityProvider keysUnreachable = token -> Uni.createFrom().failure(new OIDCException("JWKS not available"));
        assertThrows(KeycloakUnavailableException.class, () -> provider(realmUrl(), keysUnreachable).verifyAccessToken(JWT_SHAPED));
        TenantIdentityProvider hanging = token -> Uni.createFrom().nothing();
        assertThrows(KeycloakUnavailableException.class, () -> provider(realmUrl(), hanging).verifyAccessToken(JWT_SHAPED));
    }

    private Optional<String> realmUrl() {
        return Optional.of("http://127.0.0.1:" + tokenEndpoint.getAddress().getPort() + "/realms/berth/");
    }

    private static KeycloakIdentityProvider provider(Optional<String> url, TenantIdentityProvider verifier) {
        KeycloakConfig config = new KeycloakConfig() {
            @Override
            public Optional<String> url() {
                return url;
            }

            @Override
            public String clientId() {
                return "berth";
            }

            @Override
            public Optional<String> clientSecret() {
                return Optional.of("secret");
            }

            @Override
            public String adminRole() {
                return "berth-admin";
            }

            @Override
            public Duration timeout() {
                return Duration.ofMillis(500);
            }
        };
        return new KeycloakIdentityProvider(config, verifier, new ObjectMapper());
    }
}
