package io.berth.storage.fs;

import java.nio.ByteBuffer;

/** Direct buffers that start on a file system block boundary, as {@code O_DIRECT} reads and writes need. */
final class AlignedBuffers {

    private AlignedBuffers() {
    }

    /** Allocates a direct buffer of {@code capacity} bytes (a multiple of {@code blockSize}) that starts on a block boundary. */
    static ByteBuffer allocate(int capacity, int blockSize) {
        // alignedSlice rounds the start up and the end down to the block size: with a block to spare,
        // capacity bytes remain.
        return ByteBuffer.allocateDirect(capacity + blockSize).alignedSlice(blockSize).limit(capacity).slice();
    }
}
