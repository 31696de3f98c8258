package io.berth.storage;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;

/** Where and how blobs are stored: {@code berth.storage.*}, or {@code BERTH_STORAGE_*} in the environment. */
@ConfigMapping(prefix = "berth.storage")
public interface StorageConfig {

    /** Which store holds the blobs. */
    @WithDefault("filesystem")
    Type type();

    /** Settings of the filesystem store. */
    Filesystem filesystem();

    /** The kinds of blob store. */
    enum Type {
        FILESYSTEM
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
         * allows it. Uploads are written once and read later, if at all; skipping the page cache
         * spares the kernel the cost of a fresh page per 4 KiB and keeps hot blobs cached. Off by
         * default until measurements show a steady gain (docs/benchmarks.md).
         */
        @WithDefault("false")
        boolean directIo();
    }
}
