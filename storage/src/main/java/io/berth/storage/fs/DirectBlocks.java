package io.berth.storage.fs;

import com.sun.nio.file.ExtendedOpenOption;
import io.berth.storage.BlobContent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A range of a blob read with direct I/O ({@code O_DIRECT}): from the device into block-aligned
 * buffers, a megabyte at a time, without a page of the page cache. Reads start at the block boundary
 * at or before the range and the bytes outside it are left out of what {@link #next()} returns. The
 * blob's start that was written through the page cache is read from there, into the same buffers: a
 * direct read would first have the kernel write those pages out.
 *
 * <p>Recycled buffers are kept for later reads: a fresh one costs the kernel new pages and the JDK a
 * zeroing pass, which are what reading around the page cache saves.
 */
final class DirectBlocks implements BlobContent.Blocks {

    static final int BLOCK_BYTES = 1024 * 1024;
    private static final BlockingQueue<ByteBuffer> SPARE_BUFFERS = new ArrayBlockingQueue<>(16);

    private final FileChannel channel;
    private final FileChannel cached;
    private final long cachedUntil;
    private final int blockSize;
    private final long length;
    private long filePosition;
    private int skip;
    private long remaining;

    private DirectBlocks(FileChannel channel, FileChannel cached, long cachedUntil, long offset, long length, int blockSize) {
        this.channel = channel;
        this.cached = cached;
        this.cachedUntil = cachedUntil;
        this.blockSize = blockSize;
        this.length = length;
        this.filePosition = offset - offset % blockSize;
        this.skip = (int) (offset % blockSize);
        this.remaining = length;
    }

    /**
     * Opens {@code length} bytes of {@code path} from {@code offset} for direct reads aligned to
     * {@code blockSize}, or returns null where the file cannot be opened for them (tmpfs refuses
     * {@code O_DIRECT}): the caller reads it the ordinary way, which reports any other trouble. The
     * file's first {@code cachedUntil} bytes (a whole number of blocks, 0 for none), which are in the
     * page cache, are read through it.
     */
    static DirectBlocks open(Path path, long offset, long length, int blockSize, long cachedUntil)
            throws NoSuchFileException {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ, ExtendedOpenOption.DIRECT);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
        FileChannel cached = null;
        if (offset < cachedUntil) {
            try {
                cached = FileChannel.open(path, StandardOpenOption.READ);
            } catch (IOException e) {
                closeQuietly(channel);
                return null;
            }
        }
        return new DirectBlocks(channel, cached, cachedUntil, offset, length, blockSize);
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public ByteBuffer next() throws IOException {
        if (remaining == 0) {
            return null;
        }
        ByteBuffer buffer = takeBuffer(blockSize);
        int read;
        if (filePosition < cachedUntil && cached != null) {
            buffer.limit((int) Math.min(buffer.capacity(), cachedUntil - filePosition));
            read = cached.read(buffer, filePosition);
        } else {
            read = channel.read(buffer, filePosition);
        }
        if (read <= skip) {
            recycle(buffer);
            throw new IOException("the blob ended " + remaining + " bytes before the end of the range");
        }
        filePosition += read;
        buffer.flip().position(skip);
        skip = 0;
        if (buffer.remaining() > remaining) {
            buffer.limit(buffer.position() + (int) remaining);
        }
        remaining -= buffer.remaining();
        return buffer;
    }

    @Override
    public void recycle(ByteBuffer block) {
        SPARE_BUFFERS.offer(block.clear());
    }

    @Override
    public void close() {
        // Closing a closed channel does nothing: the writer may close on more than one path.
        closeQuietly(channel);
        if (cached != null) {
            closeQuietly(cached);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Only read from: closing loses nothing.
        }
    }

    private static ByteBuffer takeBuffer(int blockSize) {
        ByteBuffer spare = SPARE_BUFFERS.poll();
        if (spare != null && spare.alignmentOffset(0, blockSize) == 0) {
            return spare;
        }
        return AlignedBuffers.allocate(BLOCK_BYTES, blockSize);
    }
}
