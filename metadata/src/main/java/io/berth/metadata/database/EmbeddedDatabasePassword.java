package io.berth.metadata.database;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The password of the embedded PostgreSQL's superuser {@code postgres}: generated on first start into
 * {@code <berth.database.embedded.data-dir>/password}, readable and writable by its owner only, and read
 * from there on every later start. PostgreSQL checks it for every connection, over TCP and the Unix
 * socket alike, so another local user or process cannot connect as the superuser and make itself an
 * administrator of the registry.
 */
public final class EmbeddedDatabasePassword {

    /** The file name in the embedded data directory, beside PostgreSQL's own {@code data} directory. */
    public static final String FILE_NAME = "password";

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private EmbeddedDatabasePassword() {
    }

    /** Returns the password file of the embedded PostgreSQL in {@code directory}. */
    public static Path file(Path directory) {
        return directory.resolve(FILE_NAME);
    }

    /**
     * Returns the password kept in {@code directory}, generating it first if the file does not exist, and
     * narrows the file's permissions to its owner if someone widened them.
     */
    public static String readOrCreate(Path directory) {
        Path file = file(directory);
        try {
            if (Files.notExists(file)) {
                create(directory, file);
            }
            if (posix()) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
            }
            String password = Files.readString(file).strip();
            if (password.isEmpty()) {
                throw new IllegalStateException(file + " is empty: it must hold the password of the embedded PostgreSQL. "
                        + "Restore it, or delete it together with " + directory.resolve("data")
                        + " to start with an empty database");
            }
            return password;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the embedded PostgreSQL's password file " + file, e);
        }
    }

    /**
     * Writes a new password to a temporary owner-only file and renames it into place, so the password
     * file never exists half-written or readable by others.
     */
    private static void create(Path directory, Path file) throws IOException {
        Files.createDirectories(directory);
        FileAttribute<?>[] attributes = posix()
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
        Path temporary = Files.createTempFile(directory, ".password-", ".tmp", attributes);
        try {
            Files.writeString(temporary, generate() + "\n");
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static String generate() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        // URL-safe Base64: no quote, backslash or newline that a pwfile or an SQL literal would trip over.
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
