package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Docker engine ({@code dockerd} 20.10 from the docker.io package) as a child process, with every
 * folder it writes kept inside one test folder, plus the two clients that talk to it: Debian's
 * {@code /usr/bin/docker} and containerd's {@code ctr} on the containerd that dockerd starts.
 *
 * <p>{@link #start} runs
 * {@code dockerd --config-file F/daemon.json --data-root F/data-overlay2 --exec-root X --pidfile F/dockerd.pid
 * -H unix://X/docker.sock --iptables=false --ip6tables=false --bridge=none --storage-driver=overlay2}
 * and waits until {@code docker version} answers and containerd's socket exists; when dockerd exits at once on
 * overlay2 it is started again on {@code vfs} (data root {@code F/data-vfs}). The folder {@code F} holds:
 * <ul>
 *   <li>{@code daemon.json}: {@code deprecated-key-path}, so that dockerd writes its key here and not to
 *       {@code /etc/docker/key.json}, and never reads the machine's {@code /etc/docker/daemon.json}, and
 *       {@code registry-mirrors} when started {@link #startWithMirror with a mirror};</li>
 *   <li>{@code data-<driver>/} (images, containers, containerd's content store), {@code dockerd.log}, {@code cli/}
 *       (the client's {@code DOCKER_CONFIG}: what {@code docker login} stores), {@code home/};</li>
 *   <li>{@code ns-run/}: bind-mounted over {@code /run} in a private mount namespace (see below);</li>
 *   <li>{@code exec}: a link to the exec root {@code X}.</li>
 * </ul>
 * The exec root {@code X} holds sockets (docker.sock, {@code containerd/containerd.sock}, libnetwork's), whose
 * paths may not exceed 107 bytes; it is therefore a short folder {@code berth-dockerd-*} in the temp folder
 * ({@code java.io.tmpdir}), deleted with {@code F}.
 *
 * <p>dockerd and containerd write to a few fixed paths under {@code /run} ({@code /run/docker/plugins},
 * containerd's shim sockets in {@code /run/containerd/s}, runc's state), and dockerd 20.10 uses a system
 * containerd when {@code /run/containerd/containerd.sock} exists. When {@code unshare --mount} works (as root),
 * dockerd and every {@code ctr} command therefore run in a private mount namespace in which {@code F/ns-run}
 * is bind-mounted over {@code /run}: dockerd always starts its own containerd, nothing is written outside the
 * folders, and the engine's overlay mounts are invisible to the rest of the machine and vanish with it.
 *
 * <p>{@link #close()} stops dockerd by its PID (SIGTERM, which also stops its containerd; SIGKILL after 30 s),
 * then stops by PID whatever it left running: its containerd and any containerd shim that serves this
 * containerd's socket.
 *
 * <p>Each command has a timeout; a command that fails or times out fails the test with its output and the
 * tail of dockerd's log.
 */
public final class DockerDaemon implements AutoCloseable {

    /** The default time a single command may take. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(3);
    /** How long dockerd may take to answer {@code docker version}. */
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** Debian's client, which matches its engine; the machines also carry a newer docker CLI in /usr/local/bin. */
    private static final Path DEBIAN_DOCKER = Path.of("/usr/bin/docker");
    private static final List<Path> DOCKERD = List.of(Path.of("/usr/sbin/dockerd"), Path.of("/usr/bin/dockerd"));
    private static final List<Path> CTR = List.of(Path.of("/usr/bin/ctr"), Path.of("/usr/sbin/ctr"));

    private final Path dir;
    private final Path execRoot;
    private final String storageDriver;
    private final boolean privateMounts;
    private final Process process;
    private final Thread shutdownHook;
    private final Map<String, String> environment;
    private int commands;
    private boolean closed;

    private DockerDaemon(Path dir, Path execRoot, String storageDriver, boolean privateMounts, Process process) {
        this.dir = dir;
        this.execRoot = execRoot;
        this.storageDriver = storageDriver;
        this.privateMounts = privateMounts;
        this.process = process;
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(name -> name.startsWith("DOCKER_") || name.startsWith("CONTAINERD_"));
        env.put("DOCKER_HOST", "unix://" + execRoot.resolve("docker.sock"));
        env.put("DOCKER_CONFIG", dir.resolve("cli").toString());
        env.put("HOME", dir.resolve("home").toString());
        this.environment = env;
        // A test JVM that ends without closing the fixture still stops the engine.
        this.shutdownHook = new Thread(this::stopQuietly, "berth-e2e-dockerd-" + process.pid());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Skips (outside CI) or fails (in CI) the calling test unless Debian's Docker engine and client
     * (docker.io) and runc are installed, and this process runs as root (dockerd needs it).
     */
    public static void requireDocker() {
        dockerd();
        if (!Files.isExecutable(DEBIAN_DOCKER)) {
            E2e.unavailable(DEBIAN_DOCKER + " (Debian's docker client) is not installed (apt-get install docker.io)");
        }
        E2e.requireTool("runc", "runc");
        if (!"root".equals(System.getProperty("user.name"))) {
            E2e.unavailable("dockerd needs root; these tests run as " + System.getProperty("user.name"));
        }
    }

    /** Skips (outside CI) or fails (in CI) the calling test unless containerd's ctr is installed, with dockerd. */
    public static void requireCtr() {
        requireDocker();
        ctrExecutable();
    }

    /**
     * Starts dockerd with its state in a new folder {@code parent/name} (and a short exec root in the temp
     * folder) and waits until it answers; fails the test with dockerd's log when it does not.
     */
    public static DockerDaemon start(Path parent, String name) {
        return start(parent, name, "");
    }

    /**
     * Starts dockerd like {@link #start(Path, String)} with {@code registry} ({@code host:port}, plain
     * HTTP) as its Docker Hub mirror ({@code registry-mirrors} in its {@code daemon.json}).
     */
    public static DockerDaemon startWithMirror(Path parent, String name, String registry) {
        return start(parent, name, ", \"registry-mirrors\": [\"http://" + registry + "\"], \"insecure-registries\": [\""
                + registry + "\"]");
    }

    private static DockerDaemon start(Path parent, String name, String settings) {
        Path dir = parent.resolve(name).toAbsolutePath().normalize();
        try {
            return startOnce(dir, "overlay2", settings);
        } catch (DaemonExited overlay) {
            try {
                return startOnce(dir, "vfs", settings);
            } catch (IllegalStateException vfs) {
                vfs.addSuppressed(overlay);
                throw vfs;
            }
        }
    }

    private static DockerDaemon startOnce(Path dir, String storageDriver, String settings) {
        Path execRoot;
        try {
            for (String sub : List.of("data-" + storageDriver, "cli", "home", "ns-run")) {
                Files.createDirectories(dir.resolve(sub));
            }
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
            execRoot = Files.createTempDirectory(tmp, "berth-dockerd-").toAbsolutePath().normalize();
            Files.deleteIfExists(dir.resolve("exec"));
            Files.createSymbolicLink(dir.resolve("exec"), execRoot);
            // dockerd's key would otherwise go to /etc/docker/key.json; no command-line flag sets it in 20.10.
            Files.writeString(dir.resolve("daemon.json"),
                    "{\"deprecated-key-path\": \"" + dir.resolve("key.json") + "\"" + settings + "}\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare dockerd's folders in " + dir, e);
        }
        Path socket = execRoot.resolve("containerd/containerd.sock.ttrpc");
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > 107) {
            fail("the temp folder's path is too long for Unix sockets: " + socket);
        }
        boolean privateMounts = ContainerTools.privateMountsWork();
        List<String> command = new ArrayList<>();
        if (privateMounts) {
            // The daemon replaces sh (exec), so the PID we hold is dockerd's.
            command.addAll(namespaceWrapper(dir));
        }
        command.addAll(List.of(dockerd().toString(),
                "--config-file", dir.resolve("daemon.json").toString(),
                "--data-root", dir.resolve("data-" + storageDriver).toString(),
                "--exec-root", execRoot.toString(),
                "--pidfile", dir.resolve("dockerd.pid").toString(),
                "-H", "unix://" + execRoot.resolve("docker.sock"),
                "--iptables=false", "--ip6tables=false", "--bridge=none",
                "--storage-driver=" + storageDriver));
        Path log = dir.resolve("dockerd.log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().keySet().removeIf(n -> n.startsWith("DOCKER_") || n.startsWith("CONTAINERD_"));
        Process process;
        try {
            Files.writeString(log, "---- " + java.time.Instant.now() + " starting: " + String.join(" ", command)
                    + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        DockerDaemon daemon = new DockerDaemon(dir, execRoot, storageDriver, privateMounts, process);
        try {
            daemon.awaitReady();
            return daemon;
        } catch (RuntimeException | AssertionError e) {
            daemon.stop();
            E2e.deleteTree(execRoot);
            throw e;
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String lastAnswer = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new DaemonExited("dockerd (" + storageDriver + ") exited with code " + process.exitValue()
                        + " before it answered; last lines of " + logFile() + ":\n" + logTail(40));
            }
            ContainerTools.Result version = tryRun(Duration.ofSeconds(15), List.of(DEBIAN_DOCKER.toString(),
                    "version", "--format", "{{.Server.Version}}"), null);
            if (version.exitCode() == 0 && Files.exists(containerdSocket())) {
                return;
            }
            lastAnswer = version.describe();
            sleep(250);
        }
        throw new IllegalStateException("dockerd (PID " + process.pid() + ", " + storageDriver + ") did not answer within "
                + READY_TIMEOUT.toSeconds() + " s, or its containerd socket " + containerdSocket()
                + " did not appear; last answer: " + lastAnswer + "\nlast lines of " + logFile() + ":\n" + logTail(40));
    }

    /** Returns this engine's folder (data root, logs, client configuration). */
    public Path dir() {
        return dir;
    }

    /** Returns the storage driver dockerd runs on: {@code overlay2}, or {@code vfs} when overlay2 failed. */
    public String storageDriver() {
        return storageDriver;
    }

    /** Returns whether dockerd and ctr run in a private mount namespace (see the class comment). */
    public boolean privateMounts() {
        return privateMounts;
    }

    /** Returns the socket of the containerd that dockerd started, for {@code ctr --address}. */
    public Path containerdSocket() {
        return execRoot.resolve("containerd/containerd.sock");
    }

    /** Returns the client's configuration folder ({@code DOCKER_CONFIG}), where {@code docker login} writes config.json. */
    public Path clientConfig() {
        return dir.resolve("cli");
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return dir.resolve("dockerd.log");
    }

    /** Returns the last {@code lines} lines of dockerd's log (containerd's output included). */
    public String logTail(int lines) {
        return BerthServer.tail(logFile(), lines);
    }

    /** Runs Debian's {@code docker} client against this engine; fails on a non-zero exit. */
    public ContainerTools.Result docker(String... args) {
        return check(tryDocker(args));
    }

    /** Runs Debian's {@code docker} client against this engine and returns its result, whatever its exit code. */
    public ContainerTools.Result tryDocker(String... args) {
        return tryRun(DEFAULT_TIMEOUT, dockerCommand(args), null);
    }

    /** Runs Debian's {@code docker} client with {@code input} on its standard input (for {@code --password-stdin}). */
    public ContainerTools.Result dockerWithInput(String input, String... args) {
        return check(tryRun(DEFAULT_TIMEOUT, dockerCommand(args), input));
    }

    /**
     * Runs {@code ctr --address <containerd socket> -n <namespace> args...} (in the engine's mount namespace
     * when there is one); fails on a non-zero exit.
     */
    public ContainerTools.Result ctr(String namespace, String... args) {
        return check(tryCtr(namespace, args));
    }

    /** Runs {@code ctr} like {@link #ctr} and returns its result, whatever its exit code. */
    public ContainerTools.Result tryCtr(String namespace, String... args) {
        List<String> command = new ArrayList<>(List.of(ctrExecutable().toString(),
                "--address", containerdSocket().toString(), "--namespace", namespace));
        command.addAll(List.of(args));
        List<String> full = new ArrayList<>();
        if (privateMounts) {
            full.addAll(namespaceWrapper(dir));
        }
        full.addAll(command);
        return tryRun(DEFAULT_TIMEOUT, full, command, null);
    }

    /** Returns the command prefix that runs a program in a private mount namespace with {@code dir/ns-run} over /run. */
    private static List<String> namespaceWrapper(Path dir) {
        return List.of("unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                "mount --bind \"$1\" /run && shift && exec \"$@\"", "sh", dir.resolve("ns-run").toString());
    }

    /** Thrown when dockerd exits before it answers, as it does on a storage driver this machine cannot use. */
    private static final class DaemonExited extends IllegalStateException {
        DaemonExited(String message) {
            super(message);
        }
    }

    private List<String> dockerCommand(String... args) {
        List<String> command = new ArrayList<>(List.of(DEBIAN_DOCKER.toString()));
        command.addAll(List.of(args));
        return command;
    }

    private ContainerTools.Result check(ContainerTools.Result result) {
        if (result.exitCode() != 0) {
            fail(result.describe() + "\nlast lines of " + logFile() + ":\n" + logTail(20));
        }
        return result;
    }

    private ContainerTools.Result tryRun(Duration timeout, List<String> command, String input) {
        return tryRun(timeout, command, command, input);
    }

    /** Runs {@code full}, reporting it as {@code shown} (without the namespace wrapper); fails the test on a timeout. */
    private ContainerTools.Result tryRun(Duration timeout, List<String> full, List<String> shown, String input) {
        int number;
        synchronized (this) {
            number = ++commands;
        }
        Path logs = dir.resolve("logs");
        Path out = logs.resolve(number + ".stdout");
        Path err = logs.resolve(number + ".stderr");
        long started = System.nanoTime();
        try {
            Files.createDirectories(logs);
            ProcessBuilder builder = new ProcessBuilder(full)
                    .directory(dir.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.redirectInput(input == null ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                    : ProcessBuilder.Redirect.PIPE);
            builder.environment().clear();
            builder.environment().putAll(environment);
            Process child = builder.start();
            if (input != null) {
                try (OutputStream stdin = child.getOutputStream()) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!child.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                child.descendants().forEach(ProcessHandle::destroyForcibly);
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
                fail("timed out after " + timeout.toSeconds() + " s: " + String.join(" ", shown)
                        + "\nstdout:\n" + BerthServer.tail(out, 40) + "\nstderr:\n" + BerthServer.tail(err, 40)
                        + "\nlast lines of " + logFile() + ":\n" + logTail(20));
            }
            ContainerTools.Result result = new ContainerTools.Result(shown, child.exitValue(), Files.readAllBytes(out),
                    Files.readString(err, StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - started));
            Files.writeString(logs.resolve("commands.log"), number + ": exit " + result.exitCode() + " after "
                    + result.took().toMillis() + " ms: " + String.join(" ", shown) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + shown, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + shown, e);
        }
    }

    /**
     * Stops dockerd by its PID: SIGTERM, up to 30 s, then SIGKILL. Then stops by PID whatever is left: the
     * containerd dockerd started and any shim serving that containerd. Calling it again does nothing.
     */
    public synchronized void stop() {
        if (closed) {
            return;
        }
        closed = true;
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        descendants.forEach(DockerDaemon::terminate);
        // Shims daemonize (their parent is PID 1), so they are no descendants: find them by this engine's socket.
        String socket = containerdSocket().toString();
        ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(socket)).orElse(false))
                .filter(p -> p.info().command().map(c -> c.contains("containerd")).orElse(false))
                .forEach(DockerDaemon::terminate);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself
        }
    }

    /** Stops the engine and deletes its folders, unless {@code -Dberth.e2e.keep=true}. */
    @Override
    public void close() {
        stop();
        if (!E2e.keep()) {
            E2e.deleteTree(dir);
            E2e.deleteTree(execRoot);
        }
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (RuntimeException ignored) {
            // best effort while the test JVM exits
        }
    }

    private static void terminate(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return;
        }
        handle.destroy();
        try {
            handle.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception stillRunning) {
            handle.destroyForcibly();
        }
    }

    private static Path dockerd() {
        return firstExecutable(DOCKERD).or(() -> E2e.findOnPath("dockerd")).orElseGet(() -> {
            E2e.unavailable("dockerd is not installed (apt-get install docker.io)");
            throw new AssertionError("unreachable");
        });
    }

    private static Path ctrExecutable() {
        return firstExecutable(CTR).or(() -> E2e.findOnPath("ctr")).orElseGet(() -> {
            E2e.unavailable("ctr is not installed (apt-get install containerd)");
            throw new AssertionError("unreachable");
        });
    }

    private static Optional<Path> firstExecutable(List<Path> candidates) {
        return candidates.stream().filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Docker's own CLI on these machines (28.x in /usr/local/bin): a client only, without buildx. */
    public static final Path DOCKER_CLI = Path.of("/usr/local/bin/docker");

    /** Returns Debian's docker client, {@code /usr/bin/docker} (20.10, the engine's own version). */
    public static Path debianDocker() {
        return DEBIAN_DOCKER;
    }

    /** Skips (outside CI) or fails (in CI) the calling test unless Docker's own CLI is at {@link #DOCKER_CLI}. */
    public static void requireDockerCli() {
        if (!Files.isRegularFile(DOCKER_CLI) || !Files.isExecutable(DOCKER_CLI)) {
            E2e.unavailable(DOCKER_CLI + " (Docker's own CLI, which these machines carry besides Debian's) is missing");
        }
    }

    /**
     * Runs the given docker client against this engine with {@code DOCKER_BUILDKIT=0}, so that {@code docker build}
     * uses the legacy builder (the CLI 28 has no buildx here); fails on a non-zero exit.
     */
    public ContainerTools.Result client(Path docker, String... args) {
        return check(tryClient(docker, args));
    }

    /** Runs the given docker client like {@link #client} and returns its result, whatever its exit code. */
    public ContainerTools.Result tryClient(Path docker, String... args) {
        return tryRun(DEFAULT_TIMEOUT, clientCommand(docker, args), null);
    }

    /** Runs the given docker client like {@link #client} with {@code input} on its standard input. */
    public ContainerTools.Result clientWithInput(Path docker, String input, String... args) {
        return check(tryRun(DEFAULT_TIMEOUT, clientCommand(docker, args), input));
    }

    private static List<String> clientCommand(Path docker, String... args) {
        List<String> command = new ArrayList<>(List.of("env", "DOCKER_BUILDKIT=0", docker.toString()));
        command.addAll(List.of(args));
        return command;
    }

    /** Returns the exec root (in the temp folder) that holds this engine's sockets and containerd's state. */
    public Path execRoot() {
        return execRoot;
    }
}
