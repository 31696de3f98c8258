package io.berth.server.mirror;

import io.berth.server.testing.MirrorProfiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(MirrorProfiles.Filesystem.class)
class FilesystemMirrorApiTest extends MirrorApiSuite {
}
