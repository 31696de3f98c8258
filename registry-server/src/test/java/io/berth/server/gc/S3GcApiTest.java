package io.berth.server.gc;

import io.berth.server.testing.S3StorageProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(S3StorageProfile.class)
class S3GcApiTest extends GcApiSuite {
}
