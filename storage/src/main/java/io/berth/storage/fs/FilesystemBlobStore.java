package io.berth.storage.fs;

import io.berth.storage.BlobContent;
import io.berth.storage.BlobNotFoundException;
import io.berth.storage.BlobStat;
import io.berth.storage.BlobStore;
import io.berth.storage.BlobStoreType;
import io.berth.storage.CommitGuard;
import io.berth.storage.Digest;
import io.berth.storage.DigestAlgorithm;
import io.berth.storage.DigestMismatchException;
import io.berth.storage.HashingCopy;
import io.berth.storage.StorageConfig;
import io.berth.storage.StorageException;
import io.berth.storage.UploadNotFoundException;
import io.berth.storage.UploadState;
import io.berth.storage.digest.ResumableDigest;
import io.berth.storage.layout.BlobLayout;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Stores blobs as files under a root directory, in the {@link BlobLayout}. Uploads are staged in a
 * file of their own and renamed into place once verified, so a reader sees a whole blob or none.
 */
@Singleton
@BlobStoreType(StorageConfig.Type.FILESYSTEM)
public class FilesystemBlobStore implements BlobStore {

    /** How many unread blobs are remembered before the list starts over. */
    private static final int UNREAD_LIMIT = 100_000;

    private final Path root;
    private final boolean fsync;
    private final boolean directIo;
    /**
     * How many bytes at the start of each upload are written through the page cache before direct
     * writes take over: a whole number of {@link DirectBlocks#BLOCK_BYTES}, so that the direct part
     * starts where a direct read block does.
     */
    private final long directIoAfter;
    /**
     * Blobs written with direct I/O past their first {@link #directIoAfter} bytes that have not been
     * read since: the pages past that start are not in the page cache. Their first read bypasses it
     * there too ({@link DirectBlocks}); later reads use {@code sendfile}, which fills the cache as it
     * goes.
     *
     * <p>Why not fill the cache with all of every new blob: on the machines Berth was measured on (VMs
     * that hand freed memory back to their host) the page cache fills at about 430 MB/s, while a direct
     * read of the same bytes runs at 1.2-2 GB/s and takes no memory. Filling it right after a push
     * took the memory that the client pulling next needed for its own writes; many blobs are never
     * read twice. A blob's start is another matter: written through the cache, it costs the upload
     * little and spares the pull that follows a disk read while the client writes its own copy.
     */
    private final Set<Path> unread = ConcurrentHashMap.newKeySet();
    private final int blockSize;

    @Inject
    public FilesystemBlobStore(StorageConfig config) {
        this(config.filesystem().root(), config.filesystem().fsync(), config.filesystem().directIo(),
                config.filesystem().directIoAfter().asLongValue());
    }

    /**
     * Creates a store under {@code root}, creating the directory if needed; with {@code directIo}, the
     * first {@code directIoAfter} bytes of each upload (rounded up to whole megabytes) are still written
     * through the page cache.
     */
    public FilesystemBlobStore(Path root, boolean fsync, boolean directIo, long directIoAfter) {
        this.root = root.toAbsolutePath().normalize();
        this.fsync = fsync;
        try {
            Files.createDirectories(this.root.resolve(BlobLayout.blobsRoot()));
            Files.createDirectories(this.root.resolve(BlobLayout.VERSION).resolve("uploads"));
            this.blockSize = (int) Files.getFileStore(this.root).getBlockSize();
        } catch (IOException e) {
            throw new StorageException("cannot create the blob directory " + this.root + ": " + e.getMessage(), e);
        }
        this.directIo = directIo && supportsDirectIo(this.root.resolve(BlobLayout.VERSION).resolve("uploads"), blockSize);
        if (directIoAfter < 0) {
            throw new IllegalArgumentException("direct-io-after must not be negative: " + directIoAfter);
        }
        this.directIoAfter = Math.ceilDiv(directIoAfter, DirectBlocks.BLOCK_BYTES) * DirectBlocks.BLOCK_BYTES;
    }

    /**
     * Whether the file system under {@code directory} takes direct writes of {@code blockSize}-aligned
     * blocks (tmpfs, for one, refuses to open a file for direct I/O; some file systems open it and
     * refuse the write), so that uploads never meet the refusal halfway.
     */
    private static boolean supportsDirectIo(Path directory, int blockSize) {
        Path probe = directory.resolve(".direct-io-probe-" + UUID.randomUUID());
        try {
            Files.createFile(probe);
            try (FileChannel direct = StagingWriter.openDirect(probe)) {
                if (direct == null) {
                    return false;
                }
                return direct.write(AlignedBuffers.allocate(blockSize, blockSize), 0) == blockSize;
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public String describe() {
        return "filesystem:" + root + (fsync ? " (fsync)" : "")
                + (directIo ? " (direct I/O for uploads and first reads"
                        + (directIoAfter > 0 ? " past their first " + directIoAfter / (1024 * 1024) + " MiB" : "") + ")" : "");
    }

    @Override
    public Optional<BlobStat> stat(Digest digest) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(blobPath(digest), BasicFileAttributes.class);
            return Optional.of(new BlobStat(digest, attributes.size(), attributes.lastModifiedTime().toInstant()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("cannot read " + digest + ": " + e.getMessage(), e);
        }
    }

    @Override
    public BlobContent open(Digest digest, long offset, long length) {
        Path path = blobPath(digest);
        if (!Files.isRegularFile(path)) {
            throw new BlobNotFoundException(digest);
        }
        // A read within the start that went through the page cache leaves the blob's first direct read
        // to the read that goes past it.
        if (offset + length > directIoAfter && unread.remove(path)) {
            try {
                DirectBlocks blocks = DirectBlocks.open(path, offset, length, blockSize, directIoAfter);
                if (blocks != null) {
                    return blocks;
                }
            } catch (NoSuchFileException e) {
                throw new BlobNotFoundException(digest);
            }
        }
        return new BlobContent.FileRegion(path, offset, length);
    }

    @Override
    public UploadState beginUpload(UUID id, DigestAlgorithm algorithm) {
        Path data = uploadData(id);
        try {
            Files.createDirectories(data.getParent());
            Files.createFile(data);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("upload " + id + " already exists", e);
        } catch (IOException e) {
            throw new StorageException("cannot stage upload " + id + ": " + e.getMessage(), e);
        }
        return new UploadState(id, 0, algorithm, ResumableDigest.start(algorithm).exportState(), null);
    }

    @Override
    public UploadState append(UploadState state, InputStream data) {
        Path path = uploadData(state.id());
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileChannel direct = directIo ? StagingWriter.openDirect(path) : null) {
            ResumableDigest digest = resumeDigest(state, channel);
            // Bytes past the recorded size come from an append that failed part-way: drop them.
            channel.truncate(state.size());
            StagingWriter writer = new StagingWriter(channel, direct, blockSize, directIoAfter, state.size());
            long written = HashingCopy.copy(data, digest, writer);
            if (fsync) {
                channel.force(false);
            }
            return new UploadState(state.id(), state.size() + written, state.algorithm(), digest.exportState(), null);
        } catch (NoSuchFileException e) {
            throw new UploadNotFoundException(state.id());
        } catch (IOException e) {
            throw new StorageException("cannot write upload " + state.id() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public BlobStat commit(UploadState state, Digest expected, CommitGuard guard) {
        Path staged = uploadData(state.id());
        Digest actual;
        try (FileChannel channel = FileChannel.open(staged, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            channel.truncate(state.size());
            actual = expected.algorithm() == state.algorithm()
                    ? resumeDigest(state, channel).finish()
                    : hash(channel, expected.algorithm(), state.size()).finish();
            if (actual.equals(expected) && fsync) {
                channel.force(true);
            }
        } catch (NoSuchFileException e) {
            throw new UploadNotFoundException(state.id());
        } catch (IOException e) {
            throw new StorageException("cannot read upload " + state.id() + ": " + e.getMessage(), e);
        }
        if (!actual.equals(expected)) {
            cancel(state.id());
            throw new DigestMismatchException(expected, actual);
        }
        Path target = blobPath(expected);
        BlobStat stat = guard.around(state.size(), () -> moveIntoPlace(staged, target, expected));
        if (Files.exists(staged)) {
            // The same content was already stored; the copy just received is redundant.
            cancel(state.id());
            return stat;
        }
        try {
            deleteUploadDirectory(state.id());
        } catch (IOException e) {
            throw new StorageException("cannot remove upload " + state.id() + ": " + e.getMessage(), e);
        }
        if (directIo && state.size() > directIoAfter) {
            if (unread.size() >= UNREAD_LIMIT) {
                // Blobs pushed and never pulled would fill it for good; a forgotten one only
                // has its first read fill the page cache.
                unread.clear();
            }
            unread.add(target);
        }
        return stat;
    }

    /** Renames the staged file to the blob's path unless that path already holds the blob. */
    private BlobStat moveIntoPlace(Path staged, Path target, Digest expected) {
        try {
            if (!Files.exists(target)) {
                Files.createDirectories(target.getParent());
                Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
                if (fsync) {
                    // The rename is only durable once the directory that now names the blob is.
                    syncDirectory(target.getParent());
                }
            }
        } catch (IOException e) {
            throw new StorageException("cannot move " + expected + " into place: " + e.getMessage(), e);
        }
        return stat(expected).orElseThrow(() -> new StorageException(expected + " vanished after its commit", null));
    }

    @Override
    public void cancel(UUID id) {
        try {
            Files.deleteIfExists(uploadData(id));
            deleteUploadDirectory(id);
        } catch (IOException e) {
            throw new StorageException("cannot remove upload " + id + ": " + e.getMessage(), e);
        }
    }

    /** Any chunk size works; a megabyte keeps the per-chunk bookkeeping small against the bytes moved. */
    @Override
    public long preferredChunkLength() {
        return 1024 * 1024;
    }

    @Override
    public boolean delete(Digest digest) {
        try {
            Path path = blobPath(digest);
            unread.remove(path);
            return Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new StorageException("cannot delete " + digest + ": " + e.getMessage(), e);
        }
    }

    /** Unlinks in parallel: on a network or spinning disk each unlink waits on the device, not the CPU. */
    @Override
    public Map<Digest, String> deleteAll(Collection<Digest> digests) {
        Map<Digest, String> failed = new ConcurrentHashMap<>();
        digests.parallelStream().forEach(digest -> {
            try {
                delete(digest);
            } catch (StorageException e) {
                failed.put(digest, e.getMessage());
            }
        });
        return failed;
    }

    @Override
    public void walk(Consumer<BlobStat> visitor) {
        Path blobs = root.resolve(BlobLayout.blobsRoot());
        for (DigestAlgorithm algorithm : DigestAlgorithm.values()) {
            Path algorithmRoot = blobs.resolve(algorithm.id());
            if (!Files.isDirectory(algorithmRoot)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(algorithmRoot, 2)) {
                files.filter(path -> path.getNameCount() - algorithmRoot.getNameCount() == 2)
                        .forEach(path -> toDigest(algorithm, path)
                                .flatMap(this::stat)
                                .ifPresent(visitor));
            } catch (IOException | UncheckedIOException e) {
                throw new StorageException("cannot list " + algorithmRoot + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void checkHealth() {
        Path probe = root.resolve(BlobLayout.VERSION).resolve("uploads").resolve(".health-" + UUID.randomUUID());
        try {
            Files.write(probe, new byte[] {1});
            if (Files.readAllBytes(probe).length != 1) {
                throw new StorageException("the probe file under " + root + " reads back wrong", null);
            }
        } catch (IOException e) {
            throw new StorageException("cannot write under " + root + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException ignored) {
                // The write already failed, which is what the caller learns.
            }
        }
    }

    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private Path blobPath(Digest digest) {
        return root.resolve(BlobLayout.blob(digest));
    }

    private Path uploadData(UUID id) {
        return root.resolve(BlobLayout.uploadData(id));
    }

    private void deleteUploadDirectory(UUID id) throws IOException {
        try {
            Files.deleteIfExists(root.resolve(BlobLayout.uploadDirectory(id)));
        } catch (DirectoryNotEmptyException e) {
            // Another request staged into the same upload concurrently; leave it to that one.
        }
    }

    /** Restores the running hash of {@code state}, or hashes the staged bytes again if it cannot. */
    private static ResumableDigest resumeDigest(UploadState state, FileChannel channel) throws IOException {
        Optional<ResumableDigest> resumed = ResumableDigest.resume(state.algorithm(), state.hashState());
        return resumed.isPresent() ? resumed.get() : hash(channel, state.algorithm(), state.size());
    }

    private static ResumableDigest hash(FileChannel channel, DigestAlgorithm algorithm, long size) throws IOException {
        ResumableDigest digest = ResumableDigest.start(algorithm);
        ByteBuffer buffer = ByteBuffer.allocate(HashingCopy.BATCH);
        long position = 0;
        while (position < size) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), size - position));
            int read = channel.read(buffer, position);
            if (read < 0) {
                throw new IOException("staged data is shorter than the recorded " + size + " bytes");
            }
            digest.update(buffer.array(), 0, read);
            position += read;
        }
        return digest;
    }

    private static Optional<Digest> toDigest(DigestAlgorithm algorithm, Path file) {
        try {
            return Optional.of(new Digest(algorithm, file.getFileName().toString()));
        } catch (IllegalArgumentException notABlob) {
            return Optional.empty();
        }
    }
}
