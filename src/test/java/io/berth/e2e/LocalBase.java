package io.berth.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A base image made on this machine, with no network: Debian's statically linked busybox ({@code busybox-static})
 * at {@code /bin/busybox}, a symlink per applet the tests use ({@code /bin/sh}, {@code cat}, {@code ls}, ...), a
 * {@code /etc/passwd} and {@code /etc/group} for root and a {@code /tmp}; {@code PATH=/bin}, command {@code sh}.
 *
 * <p>{@link #build} commits it with buildah ({@code buildah from scratch}, {@code copy}, {@code config},
 * {@code commit}) into a {@link ContainerTools} folder's store as {@value #LOCAL}; {@link #push} also pushes it
 * to Berth, so that Dockerfiles can say {@code FROM <berth>/<repository>} and every build pulls its base
 * through Berth's token flow.
 */
final class LocalBase {

    /** The name of the base image in a {@link ContainerTools} store once {@link #build} made it. */
    static final String LOCAL = "localhost/berth-e2e-base:1";

    /** The busybox applets linked into {@code /bin}: what the tests' Dockerfiles and commands call. */
    private static final List<String> APPLETS = List.of("sh", "cat", "echo", "ls", "mkdir", "pwd", "env", "test",
            "true", "printf", "id", "rm", "wc", "sleep", "sha256sum");

    private LocalBase() {
    }

    /** Skips (outside CI) or fails (in CI) the calling test unless /bin/busybox is the statically linked one. */
    static void requireBusybox() {
        if (!TestImage.runnable()) {
            E2e.unavailable(TestImage.BUSYBOX + " is not a statically linked busybox (apt-get install busybox-static)");
        }
    }

    /** Builds the base with buildah into the store of {@code tools} as {@value #LOCAL} and returns that name. */
    static String build(ContainerTools tools) {
        Path rootfs = tools.newDir("base-rootfs");
        try {
            Path bin = Files.createDirectories(rootfs.resolve("bin"));
            Files.copy(TestImage.BUSYBOX, bin.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
            for (String applet : APPLETS) {
                Files.deleteIfExists(bin.resolve(applet));
                Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
            }
            Path etc = Files.createDirectories(rootfs.resolve("etc"));
            Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n");
            Files.writeString(etc.resolve("group"), "root:x:0:\n");
            Path tmp = Files.createDirectories(rootfs.resolve("tmp"));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the base image's files under " + rootfs, e);
        }
        String container = tools.buildah("from", "scratch").out().trim();
        tools.buildah("copy", container, rootfs + "/", "/");
        tools.buildah("config", "--env", "PATH=/bin", "--cmd", "sh",
                "--label", "org.opencontainers.image.title=berth-e2e-base", container);
        tools.buildah("commit", "--quiet", container, LOCAL);
        tools.buildah("rm", container);
        return LOCAL;
    }

    /**
     * Builds the base into the store of {@code tools} (which must be logged in to Berth) and pushes it to
     * {@code <berth>/<repositoryAndTag>}; returns that reference.
     */
    static String push(ContainerTools tools, BerthServer server, String repositoryAndTag) {
        build(tools);
        String reference = server.registry() + "/" + repositoryAndTag;
        tools.podman("push", "--tls-verify=false", LOCAL, "docker://" + reference);
        return reference;
    }

    /**
     * The base of one test class: built and pushed to {@code e2e/base:1} on first use, so that a test checks its
     * tools (and skips without them) before anything runs. The class's {@link BerthFixture} deletes the folder it
     * was built in (as {@link ContainerTools#close} does) before its server stops.
     */
    static final class PerClass {
        private final BerthFixture berth;
        private String reference;

        PerClass(BerthFixture berth) {
            this.berth = berth;
        }

        /** Returns {@code <berth>/e2e/base:1}, pushing the base first if no test of the class did yet. */
        synchronized String reference() {
            if (reference == null) {
                BerthServer server = berth.server();
                ContainerTools tools = berth.closing(ContainerTools.create(berth.dir(), "base", server.registry()))
                        .withShortRunRoot();
                tools.login(server.registry(), server.adminUser(), server.adminPassword());
                reference = push(tools, server, "e2e/base:1");
            }
            return reference;
        }
    }
}
