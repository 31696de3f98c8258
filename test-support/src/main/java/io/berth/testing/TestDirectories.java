package io.berth.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Directories of test servers: the shared PostgreSQL binaries, and removing temporary ones so test runs do not fill the disk. */
public final class TestDirectories {

    private TestDirectories() {
    }

    /**
     * Where the embedded PostgreSQL's binaries of every test are unpacked: one fixed folder, reused by
     * every later test JVM (zonky locks it while it unpacks), so no test unpacks 60 MiB of its own.
     */
    public static Path postgresBinaries() {
        return Path.of(System.getProperty("java.io.tmpdir"), "berth-test-postgres-binaries");
    }

    /** Deletes {@code root} and everything under it; best effort, since it often runs at JVM exit. */
    public static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // a file vanished meanwhile, or the directory is already gone
        }
    }
}
