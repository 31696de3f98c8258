package io.berth.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The build contexts the engine tests build with podman, buildah and docker alike, and what their images print.
 *
 * <p>{@link #writeApp} writes a Dockerfile that uses every common instruction: an {@code ARG} before {@code FROM}
 * (the base, given with {@code --build-arg BASE=...}), {@code FROM}, an {@code ARG} with a default (overridden with
 * {@code --build-arg FLAVOR=...}), {@code ENV} (one value taken from that {@code ARG}), {@code WORKDIR},
 * {@code COPY}, {@code RUN}, {@code EXPOSE}, {@code VOLUME} and {@code CMD}. Its command prints the {@code ENV}
 * values and the working directory, the copied file, the file {@code RUN} wrote, and the content of the volume
 * {@code /data} (which {@code RUN} seeded with {@code seed.txt}): see {@link #appOutput}.
 *
 * <p>{@link #writeEntrypoint} writes one with {@code ENTRYPOINT ["echo", "entrypoint got:"]} and
 * {@code CMD ["the", "default", "arguments"]}.
 */
final class AppContext {

    /** The content of {@code greeting.txt}, which the app's Dockerfile copies into {@code /app}. */
    static final String GREETING_FILE = "greeting from COPY\n";
    /** The value the app's Dockerfile gives {@code GREETING}. */
    static final String GREETING = "hello from ENV";
    /** The port the app's Dockerfile exposes. */
    static final String EXPOSED = "8080/tcp";
    /** The volume the app's Dockerfile declares. */
    static final String VOLUME = "/data";
    /** The working directory the app's Dockerfile sets. */
    static final String WORKDIR = "/app";

    static final String APP_DOCKERFILE = """
            ARG BASE
            FROM ${BASE}
            ARG FLAVOR=plain
            ENV GREETING="hello from ENV" BUILD_FLAVOR=${FLAVOR}
            WORKDIR /app
            COPY greeting.txt ./
            RUN echo "built with FLAVOR=$FLAVOR" > built.txt && mkdir -p /data && echo "seeded by RUN" > /data/seed.txt
            EXPOSE 8080/tcp
            VOLUME /data
            CMD ["sh", "-c", "echo \\"$GREETING, flavor $BUILD_FLAVOR, in $(pwd)\\"; cat greeting.txt built.txt; ls /data"]
            """;

    static final String ENTRYPOINT_DOCKERFILE = """
            ARG BASE
            FROM ${BASE}
            ENTRYPOINT ["echo", "entrypoint got:"]
            CMD ["the", "default", "arguments"]
            """;

    /** The command the app's Dockerfile sets, as image configs record it. */
    static final List<String> APP_CMD = List.of("sh", "-c",
            "echo \"$GREETING, flavor $BUILD_FLAVOR, in $(pwd)\"; cat greeting.txt built.txt; ls /data");

    private AppContext() {
    }

    /** Writes the app's context (Dockerfile and greeting.txt) into a new folder {@code dir} and returns it. */
    static Path writeApp(Path dir) {
        return write(dir, APP_DOCKERFILE, true);
    }

    /** Writes the ENTRYPOINT-and-CMD context into a new folder {@code dir} and returns it. */
    static Path writeEntrypoint(Path dir) {
        return write(dir, ENTRYPOINT_DOCKERFILE, false);
    }

    private static Path write(Path dir, String dockerfile, boolean greeting) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("Dockerfile"), dockerfile);
            if (greeting) {
                Files.writeString(dir.resolve("greeting.txt"), GREETING_FILE);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the build context " + dir, e);
        }
    }

    /**
     * Returns what the app's command prints: the greeting (the image's {@code ENV} value unless overridden with
     * {@code -e}), the flavor given at build time, the working directory, both files and the listing of
     * {@code /data} (the seeded {@code seed.txt} of the image's volume, or what a {@code -v} mount holds).
     */
    static String appOutput(String greeting, String flavor, String dataListing) {
        return greeting + ", flavor " + flavor + ", in " + WORKDIR + "\n"
                + GREETING_FILE
                + "built with FLAVOR=" + flavor + "\n"
                + dataListing + "\n";
    }

    /** Returns the {@code Env} entries the app's image config must hold for a build with this flavor. */
    static List<String> appEnv(String flavor) {
        return List.of("GREETING=" + GREETING, "BUILD_FLAVOR=" + flavor);
    }

    /** Returns podman's {@code run} arguments for these machines: runc, no network, ulimits runc may set. */
    static String[] podmanRun(String... rest) {
        List<String> run = new ArrayList<>(List.of("run", "--rm", "--runtime", "runc", "--network", "none",
                "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"));
        run.addAll(List.of(rest));
        return run.toArray(String[]::new);
    }
}
