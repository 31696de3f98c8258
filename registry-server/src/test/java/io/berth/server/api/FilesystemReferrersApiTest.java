package io.berth.server.api;

import io.berth.server.testing.FilesystemStorageProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(FilesystemStorageProfile.class)
class FilesystemReferrersApiTest extends ReferrersApiSuite {
}
