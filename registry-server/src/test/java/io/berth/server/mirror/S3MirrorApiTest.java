package io.berth.server.mirror;

import io.berth.server.testing.MirrorProfiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(MirrorProfiles.S3.class)
class S3MirrorApiTest extends MirrorApiSuite {
}
