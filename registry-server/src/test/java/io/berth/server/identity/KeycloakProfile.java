package io.berth.server.identity;

import io.berth.server.testing.PostgresTestResource;
import io.berth.server.testing.TestAccounts;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/**
 * The default configuration plus Keycloak as identity provider: the shared test PostgreSQL, the test
 * administrator, and the realm {@code berth} of the shared test Keycloak ({@link KeycloakTestResource}).
 */
public class KeycloakProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("berth.admin.password", TestAccounts.ADMIN_PASSWORD);
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(PostgresTestResource.class), new TestResourceEntry(KeycloakTestResource.class));
    }
}
