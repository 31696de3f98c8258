package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * What every end-to-end test shares: the paths Surefire passes in, a fresh folder per test, the skip
 * policy for missing tools and small hashing helpers.
 *
 * <p>Skip policy: outside CI a missing tool skips the test with a message naming the tool and its
 * Debian package; in CI (the environment variable {@code CI} is set to a non-empty value) it fails it,
 * so that a misconfigured CI machine never passes by skipping everything.
 */
public final class E2e {

    /** The system property naming the packaged server, {@code registry-server/target/quarkus-app/quarkus-run.jar}. */
    public static final String SERVER_JAR_PROPERTY = "berth.server.jar";
    /** The system property naming the folder under which every test creates its own, {@code target/e2e}. */
    public static final String WORK_DIR_PROPERTY = "berth.e2e.work-dir";
    /** Set to {@code true} to keep each test's folder (server data, logs, engine state) for inspection. */
    public static final String KEEP_PROPERTY = "berth.e2e.keep";

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private E2e() {
    }

    /** Returns the packaged server's jar; fails (never skips) when it has not been built. */
    public static Path serverJar() {
        String configured = System.getProperty(SERVER_JAR_PROPERTY);
        if (configured == null || configured.isBlank()) {
            fail("the system property " + SERVER_JAR_PROPERTY + " is not set: run the tests through Maven "
                    + "(./mvnw -pl src/test test), whose Surefire configuration sets it");
        }
        Path jar = Path.of(configured).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            fail("the server is not built: " + jar + " does not exist. Build it first: "
                    + "./mvnw install -DskipTests -pl registry-server -am");
        }
        return jar;
    }

    /** Returns the folder under which tests create theirs. */
    public static Path workDir() {
        return Path.of(System.getProperty(WORK_DIR_PROPERTY, "target/e2e")).toAbsolutePath().normalize();
    }

    /** Creates a new, empty folder for one test (or one test class) under {@link #workDir()}. */
    public static Path newTestDir(String name) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss"));
        Path dir = workDir().resolve(name + "-" + stamp + "-" + ProcessHandle.current().pid() + "-"
                + SEQUENCE.incrementAndGet());
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the test folder " + dir, e);
        }
    }

    /** Returns whether folders are kept after the tests ({@code -Dberth.e2e.keep=true}). */
    public static boolean keep() {
        return Boolean.getBoolean(KEEP_PROPERTY);
    }

    /** Returns whether the tests run in CI: the environment variable {@code CI} is set and not empty. */
    public static boolean inCi() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isBlank();
    }

    /**
     * Returns the path of an executable found on {@code PATH}. When it is missing, skips the calling
     * test outside CI and fails it in CI, naming the Debian package that provides it.
     */
    public static Path requireTool(String executable, String debianPackage) {
        return findOnPath(executable).orElseGet(() -> {
            unavailable(executable + " is not installed (apt-get install " + debianPackage + ")");
            throw new AssertionError("unreachable");
        });
    }

    /** Skips the calling test outside CI and fails it in CI, with the given reason. */
    public static void unavailable(String reason) {
        if (inCi()) {
            fail(reason + "; the environment variable CI is set, so this fails instead of skipping");
        }
        Assumptions.abort(reason + "; skipped outside CI (with CI set, this fails)");
    }

    /** Returns the path of an executable on {@code PATH}, as {@code which} finds it. */
    public static Optional<Path> findOnPath(String executable) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, executable);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Deletes a folder tree; a file that vanished meanwhile is no error. */
    public static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    /** Returns a new SHA-256 digest. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Returns {@code sha256:<hex>} of the bytes. */
    public static String digestOf(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(sha256().digest(bytes));
    }

    /** Returns {@code sha256:<hex>} of the file, read in a streaming fashion. */
    public static String digestOf(Path file) {
        MessageDigest sha = sha256();
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }
}
