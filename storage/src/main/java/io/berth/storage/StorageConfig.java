package io.berth.storage;

import io.smallrye.config.ConfigMapping;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Where and how blobs are stored: {@code berth.storage.*}, or {@code BERTH_STORAGE_*} in the environment. */
@ConfigMapping(prefix = "berth.storage")
public interface StorageConfig {

    /** Which store holds the blobs. */
    @WithDefault("filesystem")
    Type type();

    /** Settings of the filesystem store. */
    Filesystem filesystem();

    /** Settings of the S3 store. */
    S3 s3();

    /** The kinds of blob store. */
    enum Type {
        FILESYSTEM,
        S3
    }

    /** {@code berth.storage.filesystem.*}. */
    interface Filesystem {

        /** The directory that holds blobs and staged uploads; defaults to {@code <berth.data-dir>/blobs}. */
        Path root();

        /**
         * Whether to flush a blob to disk before it becomes visible. Without it a blob survives a crash
         * of Berth but not of the machine; with it every upload waits for the disk.
         */
        @WithDefault("false")
        boolean fsync();

        /**
         * Whether uploads are written with direct I/O, past the page cache, where the file system
         * allows it (elsewhere, such as on tmpfs, they are written through the page cache). Uploads
         * are written once and read later, if at all; skipping the page cache spares the kernel the
         * cost of a fresh page per 4 KiB and lets the device write while the next batch is hashed. A
         * new blob's first read is a direct read too; later reads go through the page cache
         * (docs/benchmarks.md has the measurements).
         */
        @WithDefault("true")
        boolean directIo();

        /**
         * With direct I/O, how much of each upload still goes through the page cache before direct
         * writes take over (rounded up to whole megabytes). Blobs up to this size, most of an image's
         * by count (configs, small layers), stay in memory for the pull that often follows a push at
         * once; only the bulk of large layers goes around the cache, which is where direct I/O's
         * throughput counts. {@code 0} writes every aligned byte directly.
         */
        @WithDefault("16M")
        MemorySize directIoAfter();
    }

    /**
     * {@code berth.storage.s3.*}: an S3 bucket (AWS, MinIO, Ceph, s3proxy, ...) reached with the MinIO
     * client. Every key can also be given as {@code BERTH_STORAGE_S3_*} in the environment.
     */
    interface S3 {

        /**
         * The service's URL, such as {@code http://minio:9000}; without it, AWS S3 in {@link #region()}
         * ({@code https://s3.<region>.amazonaws.com}).
         */
        Optional<String> endpoint();

        /** The bucket's region; {@code us-east-1} for MinIO and s3proxy. */
        @WithDefault("us-east-1")
        String region();

        /** The bucket that holds the blobs; created at start if it does not exist. Required. */
        Optional<String> bucket();

        /**
         * Whether to address the bucket as {@code <endpoint>/<bucket>} (path style, as MinIO and most
         * S3-compatible servers want) rather than {@code <bucket>.<endpoint>}; by default the client
         * decides (virtual-host style for AWS, path style elsewhere).
         */
        Optional<Boolean> pathStyle();

        /**
         * The access key; without it (and {@link #secretKey()}) credentials come from the AWS
         * environment: {@code AWS_ACCESS_KEY_ID}, a web identity token, or the instance's IAM role.
         */
        Optional<String> accessKey();

        /** The secret key; pass it as {@code BERTH_STORAGE_S3_SECRET_KEY}, never on a command line. */
        Optional<String> secretKey();

        /** A key prefix such as {@code registry/}, to share a bucket; empty by default. */
        Optional<String> prefix();

        /**
         * Whether blob downloads are answered with a 307 to a presigned URL of the object, so the
         * bytes go from S3 to the client without passing through Berth (as CNCF distribution's
         * {@code redirect} option). Clients must be able to reach the endpoint.
         */
        @WithDefault("false")
        boolean redirect();

        /** How long a presigned download URL stays valid. */
        @WithDefault("5m")
        Duration redirectExpiry();

        /** How long to wait for a connection to S3. */
        @WithDefault("10s")
        Duration connectTimeout();

        /** How long a read or write on an S3 connection may stall before the request fails. */
        @WithDefault("2m")
        Duration timeout();

        /**
         * How often a request that S3 answered with a temporary error (500, 502, 503, 504, throttling)
         * is retried, with a growing pause, before the client gets a 503.
         */
        @WithDefault("5")
        int maxRetries();

        /**
         * The size of the parts uploads are sent to S3 in (at least 5 MiB, S3's minimum). Each upload
         * request holds at most two parts in memory: one being filled and one being sent.
         */
        @WithDefault("16M")
        MemorySize partSize();
    }
}
