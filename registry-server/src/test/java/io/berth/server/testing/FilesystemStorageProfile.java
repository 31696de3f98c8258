package io.berth.server.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;

/** The default configuration: blobs on the filesystem, metadata in the shared test PostgreSQL. */
public class FilesystemStorageProfile implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(PostgresTestResource.class));
    }
}
