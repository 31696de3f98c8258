package io.berth.e2e;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** {@link LargeBlobSuite} on the S3 store (s3proxy), with an external PostgreSQL. */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class S3LargeBlobTest extends LargeBlobSuite {

    S3LargeBlobTest() {
        super(new LargeBlobStore.S3());
    }
}
