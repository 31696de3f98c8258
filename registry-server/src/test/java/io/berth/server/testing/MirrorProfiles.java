package io.berth.server.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/** The mirror suites' configurations: two real upstreams ({@link UpstreamTestResource}), on either blob store. */
public final class MirrorProfiles {

    private MirrorProfiles() {
    }

    /** Blobs on the filesystem; pushed indexes may be sparse. */
    public static class Filesystem implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("berth.admin.password", TestAccounts.ADMIN_PASSWORD,
                    "berth.registry.manifest.sparse-indexes", "true");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(PostgresTestResource.class), new TestResourceEntry(UpstreamTestResource.class));
        }
    }

    /** Blobs in S3 (s3proxy). */
    public static class S3 extends Filesystem {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(PostgresTestResource.class), new TestResourceEntry(S3TestResource.class),
                    new TestResourceEntry(UpstreamTestResource.class));
        }
    }
}
