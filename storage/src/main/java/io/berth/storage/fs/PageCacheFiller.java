package io.berth.storage.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Reads blobs written with direct I/O into the page cache, in the background, once they are in place.
 * A just-pushed image is often pulled next (a pipeline pushes, a cluster pulls), and without this its
 * first pull would come from the disk. The upload itself does not wait for the cache: the client has
 * its answer while the blob is read in.
 *
 * <p>The read is a {@code sendfile} to {@code /dev/null}: the kernel fills the page cache without
 * copying a byte to this process. Best effort: when more blobs wait than {@value #QUEUE} the newest are
 * left to their first pull, and a failure only means a slower first pull.
 */
final class PageCacheFiller {

    private static final Logger LOG = Logger.getLogger(PageCacheFiller.class);

    private static final Path DEV_NULL = Path.of("/dev/null");
    private static final int QUEUE = 256;

    private final ThreadPoolExecutor reader = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE), task -> {
                Thread thread = new Thread(task, "berth-page-cache-filler");
                thread.setDaemon(true);
                return thread;
            }, new ThreadPoolExecutor.DiscardPolicy());

    PageCacheFiller() {
        reader.allowCoreThreadTimeOut(true);
    }

    /** Whether this system has a {@code /dev/null} to send to. */
    static boolean available() {
        return Files.isWritable(DEV_NULL);
    }

    /** Schedules {@code blob} to be read into the page cache. */
    void fill(Path blob) {
        reader.execute(() -> read(blob));
    }

    private static void read(Path blob) {
        try (FileChannel in = FileChannel.open(blob, StandardOpenOption.READ);
                FileChannel discard = FileChannel.open(DEV_NULL, StandardOpenOption.WRITE)) {
            long size = in.size();
            for (long position = 0; position < size; ) {
                long sent = in.transferTo(position, size - position, discard);
                if (sent <= 0) {
                    break;
                }
                position += sent;
            }
        } catch (IOException e) {
            // Deleted in the meantime, or unreadable: its first pull will tell.
            LOG.debugf("Could not read %s into the page cache: %s", blob, e.getMessage());
        }
    }
}
