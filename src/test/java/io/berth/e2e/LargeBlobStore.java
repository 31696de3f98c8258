package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.List;

/**
 * The blob store a {@link LargeBlobSuite} runs on: how its server starts, how large the chunks of a chunked
 * upload are, and what a clean stop of the server shows there.
 */
abstract class LargeBlobStore implements AutoCloseable {

    /** Names the test's folder and its lines in the build log. */
    final String name;
    /** The size of the PATCHes of a chunked upload. */
    final long chunk;

    private LargeBlobStore(String name, long chunk) {
        this.name = name;
        this.chunk = chunk;
    }

    /**
     * Starts a server on this store with {@code jvmOptions}, keeping its data in {@code <dir>/data} and whatever
     * else the store needs under {@code dir}; returns it once it is ready.
     */
    abstract BerthServer start(Path dir, List<String> jvmOptions);

    /** Asserts that {@code shutdown}, the server's, is a clean one. */
    abstract void assertStopped(BerthServer.Shutdown shutdown);

    /** Stops what {@link #start} started besides the server; does nothing if it started nothing. */
    @Override
    public void close() {
    }

    /** The embedded default: the server's own PostgreSQL and its blobs under {@code <dir>/data}; 64 MiB chunks. */
    static final class Filesystem extends LargeBlobStore {

        Filesystem() {
            super("large-blob", 64L << 20);
        }

        @Override
        BerthServer start(Path dir, List<String> jvmOptions) {
            BerthServer.Builder builder = BerthServer.builder(dir.resolve("data"));
            jvmOptions.forEach(builder::jvmOption);
            return builder.start();
        }

        @Override
        void assertStopped(BerthServer.Shutdown shutdown) {
            assertFalse(shutdown.postgresLeftBehind(), "PostgreSQL left behind: " + shutdown);
        }
    }

    /**
     * S3 (s3proxy) and an external PostgreSQL: {@link S3Replicas} with one replica. 10 MiB chunks, so that S3
     * parts with tails under the 5 MiB minimum are carried between requests.
     */
    static final class S3 extends LargeBlobStore {

        private S3Replicas replicas;

        S3() {
            super("s3-large-blob", 10L << 20);
        }

        @Override
        BerthServer start(Path dir, List<String> jvmOptions) {
            replicas = S3Replicas.start(dir);
            return replicas.startReplica("data", jvmOptions.toArray(String[]::new));
        }

        @Override
        void assertStopped(BerthServer.Shutdown shutdown) {
            assertFalse(shutdown.forced(), "the server did not stop: " + shutdown);
        }

        @Override
        public void close() {
            if (replicas != null) {
                replicas.close();
            }
        }
    }
}
