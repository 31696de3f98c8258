package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs skopeo and podman with a configuration of their own, under one folder per test, against
 * registries on loopback.
 *
 * <p>The folder holds:
 * <ul>
 *   <li>{@code containers.conf}: cgroupfs, runc, the file events logger, {@code default_ulimits}
 *       (runc cannot raise RLIMIT_NOFILE here), no network namespace, and every libpod folder
 *       ({@code tmp_dir}, events log, network configuration, image-copy temp files) inside this folder;</li>
 *   <li>{@code storage.conf}: graphroot and runroot inside this folder (a clean image store per instance);</li>
 *   <li>{@code registries.conf}: no search registries, and the given registries marked insecure (plain HTTP);</li>
 *   <li>{@code policy.json} (accept anything) and an empty {@code registries.d}, passed to skopeo.</li>
 * </ul>
 * {@code REGISTRY_AUTH_FILE} names this folder's {@code auth.json} (see {@link #login}) and {@code HOME}, {@code XDG_*} and
 * {@code TMPDIR} point inside the folder. skopeo ignores {@code registries.conf}: tests pass it
 * {@code --tls-verify=false}, {@code --src-tls-verify=false} or {@code --dest-tls-verify=false}.
 *
 * <p>Two paths cannot be configured: as root, containers/image keeps its blob-info cache in
 * {@code /var/lib/containers/cache} whatever the storage root, and podman 4.3 keeps netavark's state in
 * {@code /run/containers/networks}. When {@code unshare --mount} works (as root), every command therefore
 * runs in a private mount namespace in which this folder's {@code ns/var-lib} is bind-mounted over
 * {@code /var/lib} and {@code ns/run} over {@code /run}: nothing is written outside the folder, and no
 * other user of this machine's engines sees these tests. Without it (not root), the tools keep their
 * per-user state under {@code XDG_DATA_HOME}/{@code XDG_RUNTIME_DIR}, which are inside the folder too.
 *
 * <p>Each command has a timeout; a command that fails or times out fails the test with its output.
 */
public final class ContainerTools implements AutoCloseable {

    /** The default time a single command may take. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(3);

    private static volatile Boolean namespaceWorks;

    private final Path dir;
    private final Map<String, String> environment;
    private final boolean privateMounts;
    private int commands;

    private ContainerTools(Path dir, Map<String, String> environment, boolean privateMounts) {
        this.dir = dir;
        this.environment = environment;
        this.privateMounts = privateMounts;
    }

    /** Skips (outside CI) or fails (in CI) the calling test unless skopeo is installed. */
    public static void requireSkopeo() {
        E2e.requireTool("skopeo", "skopeo");
    }

    /** Skips (outside CI) or fails (in CI) the calling test unless podman is installed. */
    public static void requirePodman() {
        E2e.requireTool("podman", "podman");
    }

    /** Skips (outside CI) or fails (in CI) the calling test unless podman can run containers here (runc). */
    public static void requireContainerRuntime() {
        requirePodman();
        E2e.requireTool("runc", "runc");
    }

    /**
     * Creates the configuration in a new folder under {@code parent} and returns the tools. The given
     * registries ({@code host:port}) are marked insecure for podman.
     */
    public static ContainerTools create(Path parent, String name, String... insecureRegistries) {
        Path dir = parent.resolve(name).toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
            for (String sub : List.of("storage/graph", "storage/run", "libpod-tmp", "networks", "events", "tmp",
                    "home", "xdg-runtime", "xdg-config", "xdg-data", "registries.d", "ns/var-lib", "ns/run")) {
                Files.createDirectories(dir.resolve(sub));
            }
            Files.writeString(dir.resolve("containers.conf"), """
                    [containers]
                    default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
                    netns = "none"

                    [network]
                    network_backend = "netavark"
                    network_config_dir = "%1$s/networks"

                    [engine]
                    cgroup_manager = "cgroupfs"
                    events_logger = "file"
                    events_logfile_path = "%1$s/events/events.log"
                    runtime = "runc"
                    tmp_dir = "%1$s/libpod-tmp"
                    image_copy_tmp_dir = "%1$s/tmp"
                    static_dir = "%1$s/storage/graph/libpod"
                    volume_path = "%1$s/storage/graph/volumes"
                    """.formatted(dir));
            Files.writeString(dir.resolve("storage.conf"), """
                    [storage]
                    driver = "overlay"
                    graphroot = "%1$s/storage/graph"
                    runroot = "%1$s/storage/run"
                    """.formatted(dir));
            StringBuilder registries = new StringBuilder("unqualified-search-registries = []\n");
            for (String registry : insecureRegistries) {
                registries.append("\n[[registry]]\nlocation = \"").append(registry).append("\"\ninsecure = true\n");
            }
            Files.writeString(dir.resolve("registries.conf"), registries);
            Files.writeString(dir.resolve("policy.json"), """
                    {"default": [{"type": "insecureAcceptAnything"}]}
                    """);
            // The credentials of every tool in this folder; buildah refuses a REGISTRY_AUTH_FILE that does not exist.
            Files.writeString(dir.resolve("auth.json"), "{\"auths\": {}}\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the container tools' configuration in " + dir, e);
        }
        Map<String, String> environment = new java.util.HashMap<>(System.getenv());
        environment.put("REGISTRY_AUTH_FILE", dir.resolve("auth.json").toString());
        environment.remove("DOCKER_CONFIG");
        environment.remove("CONTAINER_HOST");
        environment.remove("CONTAINER_CONNECTION");
        environment.put("CONTAINERS_CONF", dir.resolve("containers.conf").toString());
        environment.put("CONTAINERS_STORAGE_CONF", dir.resolve("storage.conf").toString());
        environment.put("CONTAINERS_REGISTRIES_CONF", dir.resolve("registries.conf").toString());
        environment.put("HOME", dir.resolve("home").toString());
        environment.put("XDG_RUNTIME_DIR", dir.resolve("xdg-runtime").toString());
        environment.put("XDG_CONFIG_HOME", dir.resolve("xdg-config").toString());
        environment.put("XDG_DATA_HOME", dir.resolve("xdg-data").toString());
        environment.put("TMPDIR", dir.resolve("tmp").toString());
        return new ContainerTools(dir, environment, privateMountsWork());
    }

    /** Returns this instance's folder. */
    public Path dir() {
        return dir;
    }

    /** Returns a new folder inside this instance's folder, for layouts and other outputs. */
    public Path newDir(String name) {
        try {
            return Files.createDirectories(dir.resolve("work").resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code skopeo} with this folder's policy, registries.d and temp folder; fails on a non-zero exit. */
    public Result skopeo(String... args) {
        return run(DEFAULT_TIMEOUT, skopeoCommand(args));
    }

    /** Runs {@code skopeo} like {@link #skopeo} and returns the result whatever its exit code. */
    public Result trySkopeo(String... args) {
        return tryRun(DEFAULT_TIMEOUT, skopeoCommand(args));
    }

    private List<String> skopeoCommand(String... args) {
        List<String> command = new ArrayList<>(List.of("skopeo",
                "--policy", dir.resolve("policy.json").toString(),
                "--registries.d", dir.resolve("registries.d").toString(),
                "--tmpdir", dir.resolve("tmp").toString()));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Logs in to a registry with {@code skopeo login} (the token flow: {@code /v2/} answers 401, skopeo asks
     * {@code /token}); podman, skopeo and buildah of this folder then share the credentials in its {@code auth.json}.
     */
    public Result login(String registry, String user, String password) {
        return skopeo("login", "--tls-verify=false", "--username", user, "--password", password, registry);
    }

    /** Runs {@code podman} with this folder's configuration and image store; fails on a non-zero exit. */
    public Result podman(String... args) {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        return run(DEFAULT_TIMEOUT, command);
    }

    /** Runs a command in this folder's environment; fails the test if it exits non-zero or times out. */
    public Result run(Duration timeout, List<String> command) {
        Result result = tryRun(timeout, command);
        if (result.exitCode() != 0) {
            fail(result.describe());
        }
        return result;
    }

    /** Runs a command in this folder's environment and returns its result, whatever its exit code. */
    public Result tryRun(Duration timeout, List<String> command) {
        int number;
        synchronized (this) {
            number = ++commands;
        }
        Path out = dir.resolve("logs").resolve(number + ".stdout");
        Path err = dir.resolve("logs").resolve(number + ".stderr");
        List<String> full = new ArrayList<>();
        if (privateMounts) {
            // The tool replaces sh (exec), so the PID we hold is the tool's.
            full.addAll(List.of("unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                    "mount --bind \"$1\" /var/lib && mount --bind \"$2\" /run && shift 2 && exec \"$@\"", "sh",
                    dir.resolve("ns/var-lib").toString(), dir.resolve("ns/run").toString()));
        }
        full.addAll(command);
        long started = System.nanoTime();
        try {
            Files.createDirectories(out.getParent());
            ProcessBuilder builder = new ProcessBuilder(full)
                    .directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().clear();
            builder.environment().putAll(environment);
            Process process = builder.start();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                fail("timed out after " + timeout.toSeconds() + " s: " + String.join(" ", command)
                        + "\nstdout:\n" + tailOf(out) + "\nstderr:\n" + tailOf(err));
            }
            Result result = new Result(command, process.exitValue(), Files.readAllBytes(out),
                    new String(Files.readAllBytes(err), StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - started));
            Files.writeString(dir.resolve("logs/commands.log"), number + ": exit " + result.exitCode() + " after "
                    + result.took().toMillis() + " ms: " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    /** Deletes the folder, unless {@code -Dberth.e2e.keep=true}. */
    @Override
    public void close() {
        if (!E2e.keep()) {
            E2e.deleteTree(dir);
        }
    }

    /**
     * What a command did.
     *
     * @param command the command as the test wrote it (without the namespace wrapper)
     * @param exitCode its exit code
     * @param stdout its standard output, as bytes (skopeo inspect --raw prints a manifest's exact bytes)
     * @param stderr its standard error
     * @param took how long it ran
     */
    public record Result(List<String> command, int exitCode, byte[] stdout, String stderr, Duration took) {

        /** Returns the standard output as text. */
        public String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        /** Returns the command, its exit code and both outputs, for a failure message. */
        public String describe() {
            return "'" + String.join(" ", command) + "' exited with " + exitCode + " after " + took.toMillis()
                    + " ms\nstdout:\n" + abbreviate(out()) + "\nstderr:\n" + abbreviate(stderr);
        }

        private static String abbreviate(String text) {
            return text.length() <= 8000 ? text : "..." + text.substring(text.length() - 8000);
        }
    }

    private static String tailOf(Path file) {
        try {
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            return text.length() <= 8000 ? text : "..." + text.substring(text.length() - 8000);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    /** Returns whether commands can run in a private mount namespace (root and util-linux's unshare). */
    static boolean privateMountsWork() {
        Boolean works = namespaceWorks;
        if (works == null) {
            works = E2e.findOnPath("unshare").isPresent() && probeNamespace();
            namespaceWorks = works;
        }
        return works;
    }

    private static boolean probeNamespace() {
        try {
            Process probe = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                    "mount -t tmpfs berth-e2e-probe /mnt")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Skips (outside CI) or fails (in CI) the calling test unless buildah is installed. */
    public static void requireBuildah() {
        E2e.requireTool("buildah", "buildah");
    }

    /** Runs {@code buildah} with this folder's configuration and image store (podman's); fails on a non-zero exit. */
    public Result buildah(String... args) {
        List<String> command = new ArrayList<>(List.of("buildah"));
        command.addAll(List.of(args));
        return run(DEFAULT_TIMEOUT, command);
    }

    /** Runs {@code podman} like {@link #podman} and returns the result whatever its exit code. */
    public Result tryPodman(String... args) {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        return tryRun(DEFAULT_TIMEOUT, command);
    }

    /**
     * Moves the store's run root ({@code runroot} in this folder's {@code storage.conf}) to {@code /run/berth-storage}
     * inside the private mount namespace, which is this folder's {@code ns/run/berth-storage}; returns this. podman 4.3
     * waits 20 s after every container's exit ("Exceeded conmon timeout waiting for container ... to exit") when the
     * run root's path is long, as it is under {@code target/e2e/...}. Call it before any command; without a private
     * mount namespace (not root) it changes nothing.
     */
    public ContainerTools withShortRunRoot() {
        if (!privateMounts) {
            return this;
        }
        Path conf = dir.resolve("storage.conf");
        try {
            String text = Files.readString(conf);
            String runRoot = "runroot = \"" + dir + "/storage/run\"";
            if (!text.contains(runRoot)) {
                throw new IllegalStateException("no " + runRoot + " in " + conf + ":\n" + text);
            }
            Files.writeString(conf, text.replace(runRoot, "runroot = \"/run/berth-storage\""));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + conf, e);
        }
        return this;
    }
}
