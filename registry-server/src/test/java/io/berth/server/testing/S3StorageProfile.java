package io.berth.server.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/**
 * Blobs in S3 (a real s3proxy), metadata in the shared test PostgreSQL, authentication on with the
 * test administrator: the same API suites as {@link FilesystemStorageProfile}, against the S3 store.
 */
public class S3StorageProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("berth.admin.password", TestAccounts.ADMIN_PASSWORD);
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(PostgresTestResource.class), new TestResourceEntry(S3TestResource.class));
    }

    /** The S3 store answering blob downloads with redirects to presigned URLs. */
    public static class Redirecting extends S3StorageProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(PostgresTestResource.class),
                    new TestResourceEntry(S3TestResource.class, Map.of("redirect", "true")));
        }
    }

    /** The S3 store on an s3proxy of its own, which the test stops to see how Berth answers an outage. */
    public static class Failing extends S3StorageProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(PostgresTestResource.class),
                    new TestResourceEntry(S3TestResource.class, Map.of("dedicated", "true")));
        }
    }
}
