package io.berth.storage.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary directories of test servers, removed when the servers stop so test runs do not fill the disk. */
public final class TestDirectories {

    private TestDirectories() {
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
