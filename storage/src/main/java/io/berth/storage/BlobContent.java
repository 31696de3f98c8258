package io.berth.storage;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A readable range of a blob, in the form the store can serve most cheaply. The HTTP layer sends a
 * {@link FileRegion} with {@code sendfile}, so its bytes never cross the Java heap, sends the
 * {@link Blocks} as they are read, and copies a {@link Stream}.
 */
public sealed interface BlobContent permits BlobContent.FileRegion, BlobContent.Stream, BlobContent.Blocks {

    /** Returns the number of bytes this content holds. */
    long length();

    /** A region of a local file. */
    record FileRegion(Path path, long offset, long length) implements BlobContent {
    }

    /** A stream the caller must close, which yields exactly {@code length} bytes. */
    record Stream(InputStream input, long length) implements BlobContent {
    }

    /**
     * A range the store reads one block at a time into a buffer of its own, off the heap; the caller
     * takes each block's bytes before asking for the next, and closes it.
     */
    non-sealed interface Blocks extends BlobContent, Closeable {

        /**
         * Reads the next block and returns its bytes (from the buffer's position to its limit), valid
         * until the next call; returns null once all {@link #length()} bytes have been returned.
         */
        ByteBuffer next() throws IOException;

        /** Gives the store its buffer back; the bytes last returned are no longer valid. */
        @Override
        void close();
    }
}
