package io.berth.e2e;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** {@link LargeBlobSuite} on the filesystem store of the embedded default. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FilesystemLargeBlobTest extends LargeBlobSuite {

    FilesystemLargeBlobTest() {
        super(new LargeBlobStore.Filesystem());
    }
}
