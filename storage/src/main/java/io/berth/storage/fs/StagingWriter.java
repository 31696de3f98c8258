package io.berth.storage.fs;

import com.sun.nio.file.ExtendedOpenOption;
import io.berth.storage.HashingCopy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes received bytes into a staged upload: block-aligned stretches past the upload's first bytes
 * with direct I/O ({@code O_DIRECT}), the rest (those first bytes, an unaligned start, the last partial
 * block) through the page cache.
 *
 * <p>Why direct I/O: a buffered write makes the kernel find, account and dirty a fresh page-cache page
 * for every 4 KiB while the client waits. On the machines Berth was measured on that costs the kernel
 * more than twice the CPU of hashing the same bytes. A direct write hands the block-aligned buffer to
 * the device, which writes while the next batch is hashed; the blob's first read bypasses the page
 * cache as well ({@link DirectBlocks}), later ones fill it. The first bytes still go through the page
 * cache so that small blobs, which are most of an image's blobs by count and cost the cache little,
 * are in memory for the pull that often comes right after the push. Linux keeps direct and buffered
 * writes to the same file coherent, so the two kinds can be mixed in one file.
 */
final class StagingWriter implements HashingCopy.Sink {

    private static final ThreadLocal<ByteBuffer> ALIGNED = new ThreadLocal<>();

    private final FileChannel buffered;
    private final FileChannel direct;
    private final int blockSize;
    private final long directFrom;
    private long position;

    /**
     * @param buffered the staged file, open for writing through the page cache
     * @param direct the same file opened with {@code O_DIRECT}, or null to write everything buffered
     * @param blockSize the alignment direct writes need
     * @param directFrom the offset below which everything is written through the page cache
     * @param position where the next byte goes
     */
    StagingWriter(FileChannel buffered, FileChannel direct, int blockSize, long directFrom, long position) {
        this.buffered = buffered;
        this.direct = direct;
        this.blockSize = blockSize;
        this.directFrom = directFrom;
        this.position = position;
    }

    /** Opens {@code path} for direct writes, or returns null where the file system does not allow them (tmpfs). */
    static FileChannel openDirect(Path path) {
        try {
            return FileChannel.open(path, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    @Override
    public void write(byte[] bytes, int length) throws IOException {
        int offset = 0;
        if (direct != null && position >= directFrom && position % blockSize == 0) {
            int aligned = length - length % blockSize;
            if (aligned > 0) {
                writeDirect(bytes, aligned);
                offset = aligned;
            }
        }
        ByteBuffer rest = ByteBuffer.wrap(bytes, offset, length - offset);
        while (rest.hasRemaining()) {
            position += buffered.write(rest, position);
        }
    }

    private void writeDirect(byte[] bytes, int length) throws IOException {
        ByteBuffer buffer = alignedBuffer();
        int offset = 0;
        while (offset < length) {
            int stretch = Math.min(buffer.capacity(), length - offset);
            buffer.clear();
            buffer.put(bytes, offset, stretch).flip();
            while (buffer.hasRemaining()) {
                position += direct.write(buffer, position);
            }
            offset += stretch;
        }
    }

    /** One block-aligned direct buffer per thread: allocating one per chunk would cost more than the write. */
    private ByteBuffer alignedBuffer() {
        ByteBuffer buffer = ALIGNED.get();
        if (buffer == null || buffer.alignmentOffset(0, blockSize) != 0) {
            buffer = AlignedBuffers.allocate(HashingCopy.BATCH, blockSize);
            ALIGNED.set(buffer);
        }
        return buffer;
    }
}
