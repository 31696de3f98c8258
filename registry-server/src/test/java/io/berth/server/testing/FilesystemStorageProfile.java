package io.berth.server.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The default configuration: blobs on the filesystem, metadata in the shared test PostgreSQL,
 * authentication on with the test administrator.
 */
public class FilesystemStorageProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("berth.admin.password", TestAccounts.ADMIN_PASSWORD);
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(PostgresTestResource.class));
    }

    /** The default configuration with the API documentation turned off ({@code berth.api-docs.enabled=false}). */
    public static class WithoutApiDocs extends FilesystemStorageProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("berth.api-docs.enabled", "false");
            return config;
        }
    }
}
