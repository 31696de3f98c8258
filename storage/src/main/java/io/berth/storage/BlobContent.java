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
     * A range the store reads one block at a time into buffers of its own, off the heap, which the
     * caller may hand on as they are (to a socket) and gives back when done; the caller closes it.
     */
    non-sealed interface Blocks extends BlobContent, Closeable {

        /**
         * Reads the next block and returns it, its bytes from the buffer's position to its limit; the
         * caller owns the buffer until it {@link #recycle}s it. Returns null once all {@link #length()}
         * bytes have been returned.
         */
        ByteBuffer next() throws IOException;

        /**
         * Takes back a buffer {@link #next()} returned, whose bytes the caller no longer needs; from any
         * thread, before or after {@link #close()}.
         */
        void recycle(ByteBuffer block);

        /** Ends the reads; buffers still out are recycled as they come back. */
        @Override
        void close();
    }
}
