package io.berth.storage;

import java.io.InputStream;
import java.nio.file.Path;

/**
 * A readable range of a blob, in the form the store can serve most cheaply. The HTTP layer sends a
 * {@link FileRegion} with {@code sendfile}, so its bytes never cross the Java heap, and copies a
 * {@link Stream}.
 */
public sealed interface BlobContent permits BlobContent.FileRegion, BlobContent.Stream {

    /** Returns the number of bytes this content holds. */
    long length();

    /** A region of a local file. */
    record FileRegion(Path path, long offset, long length) implements BlobContent {
    }

    /** A stream the caller must close, which yields exactly {@code length} bytes. */
    record Stream(InputStream input, long length) implements BlobContent {
    }
}
