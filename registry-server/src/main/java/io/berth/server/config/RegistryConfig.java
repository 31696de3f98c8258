package io.berth.server.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.OptionalLong;

/** How the registry API behaves: {@code berth.registry.*}, or {@code BERTH_REGISTRY_*} in the environment. */
@ConfigMapping(prefix = "berth.registry")
public interface RegistryConfig {

    /** Upload settings. */
    Upload upload();

    /** Manifest settings. */
    Manifest manifest();

    /** Paging of tags/list and _catalog. */
    Pagination pagination();

    /** {@code berth.registry.upload.*}. */
    interface Upload {

        /**
         * How long the request writing a chunk holds its upload without renewing; it renews every third
         * of this while it runs, and releases the upload when it ends. A replica that dies while
         * writing blocks the upload for at most this long.
         */
        @WithDefault("15s")
        Duration lease();

        /**
         * How many upload sessions one account may hold open; one more is refused with {@code 429
         * TOOMANYREQUESTS} until it completes or cancels some. Sessions untouched for {@code
         * berth.gc.upload-expiry} no longer count, and the garbage collector removes them.
         */
        @WithDefault("500")
        int maxSessionsPerAccount();

        /** The same bound per client address, whatever the accounts behind it. */
        @WithDefault("1000")
        int maxSessionsPerAddress();

        /**
         * The chunk size advertised in {@code OCI-Chunk-Min-Length}; defaults to what the blob store
         * handles best. Smaller chunks are still accepted.
         */
        OptionalLong chunkMinLength();
    }

    /** {@code berth.registry.manifest.*}. */
    interface Manifest {

        /** The largest manifest accepted; larger ones are refused with 413. */
        @WithDefault("4M")
        MemorySize maxSize();

        /**
         * Whether a pushed index may list manifests the repository does not hold (a sparse index, such
         * as an index copied with one platform only). Off, every listed manifest must be pushed first.
         * An index cached from an upstream is always stored sparse: its platforms follow as pulled.
         */
        @WithDefault("false")
        boolean sparseIndexes();
    }

    /** {@code berth.registry.pagination.*}. */
    interface Pagination {

        /** Entries per page when the client gives no {@code n}. */
        @WithDefault("1000")
        int defaultSize();

        /** The most entries one page holds, whatever {@code n} asks for. */
        @WithDefault("10000")
        int maxSize();
    }
}
