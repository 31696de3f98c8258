package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Berth's own image, {@code src/main/docker/Dockerfile.jvm}, built by Debian's podman from the packaged server
 * (the quarkus-app folder of {@link E2e#serverJar()}) without Docker Hub: its build arguments name two images
 * made here, a Debian 12 {@code minbase} root filesystem made by mmdebstrap from Debian's mirror
 * ({@link #debianRootfs}) as {@code BASE_IMAGE}, and that filesystem plus the JDK running this test as
 * {@code JDK_IMAGE}, for the Dockerfile's jlink stage.
 *
 * <p>The image runs on the embedded default, configured by {@code BERTH_*} variables (authentication on, the
 * administrator's password from {@code BERTH_ADMIN_PASSWORD}, a named volume on {@code /data}). The test checks
 * that Berth and its PostgreSQL run as a non-root user, that the image's health check passes and that the server
 * hashes chunked uploads; then it pushes the image into that Berth, pulls it back into a clean store and starts a
 * second Berth from the copy, which answers {@code /v2/} with the Bearer challenge, and with 200 to credentials.
 * Neither the pulled image's history nor its configuration holds the password.
 *
 * <p>Containers use the host's network (podman's bridge would add iptables rules) with free ports on loopback,
 * for HTTP and for the embedded PostgreSQL. They are stopped and removed in {@code finally}; the host PIDs of
 * their processes and of conmon are then checked to be gone, and killed by PID if not.
 *
 * <p>The Debian root filesystem needs Debian's mirror once ({@code -Dberth.e2e.debian-mirror}, by default
 * {@value #DEFAULT_MIRROR}): it is kept as a tar in {@code ~/.cache/berth-e2e} ({@code -Dberth.e2e.cache-dir}),
 * named after a hash of the mmdebstrap command, the one file this test leaves outside its folder.
 */
@Timeout(value = 25, unit = TimeUnit.MINUTES)
class BerthImageTest {

    /** The system property naming the folder that keeps the Debian root filesystem between runs. */
    static final String CACHE_DIR_PROPERTY = "berth.e2e.cache-dir";
    /** The system property naming the Debian mirror mmdebstrap uses. */
    static final String MIRROR_PROPERTY = "berth.e2e.debian-mirror";
    static final String DEFAULT_MIRROR = "http://deb.debian.org/debian";

    /**
     * A Debian 12 as small as Debian's own {@code debian:12-slim}: the minbase variant (essential and required
     * packages, apt) with merged /usr and without documentation, manual pages, info pages or translations.
     */
    private static final List<String> MMDEBSTRAP_OPTIONS = List.of("--variant=minbase", "--format=tar",
            "--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr",
            "--dpkgopt=path-exclude=/usr/share/man/*",
            "--dpkgopt=path-exclude=/usr/share/info/*",
            "--dpkgopt=path-exclude=/usr/share/locale/*",
            "--dpkgopt=path-include=/usr/share/locale/locale.alias",
            "--dpkgopt=path-exclude=/usr/share/doc/*",
            "--dpkgopt=path-include=/usr/share/doc/*/copyright",
            "bookworm");

    private static final String BASE_IMAGE = "localhost/berth-e2e/debian:12-minbase";
    private static final String JDK_IMAGE = "localhost/berth-e2e/jdk:local";
    private static final String IMAGE = "localhost/berth-e2e/berth:image-test";
    private static final String REPOSITORY = "admin/berth";
    private static final String USER = "185";
    /** A guard on the image's size (uncompressed): Debian slim, the jlinked runtime and the packaged server make about 230 MB. */
    private static final long MAX_IMAGE_BYTES = 320L * 1000 * 1000;

    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration STOP_SECONDS = Duration.ofSeconds(60);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);

    private final List<Container> containers = new ArrayList<>();

    @Test
    void podmanBuildsTheImagePushesItIntoItsOwnBerthAndTheCopyPulledBackRunsASecondBerth() throws IOException {
        ContainerTools.requireContainerRuntime();
        Path dir = E2e.newTestDir("berth-image");
        try {
            int firstPort = BerthServer.freePort();
            int firstDatabase = BerthServer.freePort(firstPort);
            int secondPort = BerthServer.freePort(firstPort, firstDatabase);
            int secondDatabase = BerthServer.freePort(firstPort, firstDatabase, secondPort);
            String registry = "127.0.0.1:" + firstPort;
            String firstPassword = "first-" + UUID.randomUUID();
            String secondPassword = "second-" + UUID.randomUUID();
            try (ContainerTools builder = ContainerTools.create(dir, "builder", registry);
                    ContainerTools puller = ContainerTools.create(dir, "puller", registry)) {
                try {
                    buildImage(builder);
                    long size = Long.parseLong(builder.podman("image", "inspect", "--format", "{{.Size}}", IMAGE)
                            .out().trim());
                    System.out.printf("BerthImageTest: the image is %d MB%n", size / 1_000_000);
                    assertTrue(size < MAX_IMAGE_BYTES, "the image is " + size + " bytes, more than " + MAX_IMAGE_BYTES);

                    Container first = run(builder, "berth-first", IMAGE, firstPort, firstDatabase, firstPassword);
                    assertRunsAsNonRoot(first);
                    assertHealthy(first);
                    assertUploadsAreHashed(first, firstPassword);

                    builder.podman("login", "--tls-verify=false", "--username", "admin", "--password", firstPassword,
                            registry);
                    Path digestFile = builder.dir().resolve("pushed.digest");
                    String reference = registry + "/" + REPOSITORY + ":image-test";
                    builder.run(BUILD_TIMEOUT, List.of("podman", "push", "--tls-verify=false", "--digestfile",
                            digestFile.toString(), IMAGE, "docker://" + reference));
                    String pushed = Files.readString(digestFile).trim();

                    puller.podman("login", "--tls-verify=false", "--username", "admin", "--password", firstPassword,
                            registry);
                    puller.run(BUILD_TIMEOUT, List.of("podman", "pull", "--tls-verify=false", reference));
                    JsonNode pulled = OciLayout.parse(puller.podman("image", "inspect", reference).stdout()).get(0);
                    assertEquals(pushed, pulled.path("Digest").asText(), "the clean store pulled what was pushed");
                    assertConfiguration(pulled);
                    String history = puller.podman("history", "--no-trunc", reference).out();
                    for (String text : List.of(firstPassword, secondPassword, "BERTH_ADMIN_PASSWORD")) {
                        assertFalse(history.contains(text), "the image's history holds " + text + ":\n" + history);
                        assertFalse(pulled.toString().contains(text), "the image's configuration holds " + text);
                    }

                    Container second = run(puller, "berth-second", reference, secondPort, secondDatabase,
                            secondPassword);
                    assertRunsAsNonRoot(second);
                    assertHealthy(second);
                    HttpResponse<String> anonymous = send(second, "GET", "/v2/", null, null);
                    assertEquals(401, anonymous.statusCode(), "/v2/ without credentials: " + anonymous.body());
                    String challenge = anonymous.headers().firstValue("WWW-Authenticate").orElse("");
                    assertTrue(challenge.startsWith("Bearer realm=") && challenge.contains("service=\"berth-registry\""),
                            "the Bearer challenge: " + challenge);
                    HttpResponse<String> authorized = send(second, "GET", "/v2/", secondPassword, null);
                    assertEquals(200, authorized.statusCode(), "/v2/ with the administrator's credentials");
                    assertEquals("registry/2.0",
                            authorized.headers().firstValue("Docker-Distribution-API-Version").orElse(""));
                } finally {
                    stopAll();
                }
            }
            List<String> left = stopLeftovers();
            assertTrue(left.isEmpty(), "processes left running by the test (now killed by PID):\n" + String.join("\n", left));
        } finally {
            stopLeftovers();
            if (!E2e.keep()) {
                E2e.deleteTree(dir);
            }
        }
    }

    /** Makes the two local images and builds the Dockerfile on them, with the packaged server as its context. */
    private static void buildImage(ContainerTools builder) {
        Path dockerfile = dockerfile();
        Path context = E2e.serverJar().getParent();
        Path rootfs = debianRootfs(builder);
        builder.run(BUILD_TIMEOUT, List.of("podman", "import", rootfs.toString(), BASE_IMAGE));

        Path jdkContext = stageJdk(builder.newDir("jdk"));
        Path jdkContainerfile = builder.dir().resolve("Containerfile.jdk");
        write(jdkContainerfile, """
                FROM %s
                COPY . /opt/java/openjdk
                ENV JAVA_HOME=/opt/java/openjdk
                """.formatted(BASE_IMAGE));
        builder.run(BUILD_TIMEOUT, List.of("podman", "build", "--network", "none", "--file", jdkContainerfile.toString(),
                "--tag", JDK_IMAGE, jdkContext.toString()));

        // The Docker format keeps HEALTHCHECK (the OCI image format has no field for it).
        builder.run(BUILD_TIMEOUT, List.of("podman", "build", "--network", "none", "--format", "docker",
                "--file", dockerfile.toString(),
                "--build-arg", "JDK_IMAGE=" + JDK_IMAGE, "--build-arg", "BASE_IMAGE=" + BASE_IMAGE,
                "--tag", IMAGE, context.toString()));
    }

    /**
     * Returns a Debian 12 minbase root filesystem as a tar: from the cache, or made now by mmdebstrap (in this
     * test's folder and mount namespace) and then cached. Without the mirror, skips outside CI and fails in CI.
     */
    static Path debianRootfs(ContainerTools tools) {
        String mirror = System.getProperty(MIRROR_PROPERTY, DEFAULT_MIRROR);
        String key = E2e.digestOf((String.join("\n", MMDEBSTRAP_OPTIONS) + "\n" + mirror)
                .getBytes(StandardCharsets.UTF_8)).substring("sha256:".length(), "sha256:".length() + 16);
        Path cacheDir = Path.of(System.getProperty(CACHE_DIR_PROPERTY,
                Path.of(System.getProperty("user.home"), ".cache", "berth-e2e").toString())).toAbsolutePath();
        Path cached = cacheDir.resolve("debian-12-minbase-" + key + ".tar");
        if (Files.isRegularFile(cached)) {
            return cached;
        }
        E2e.requireTool("mmdebstrap", "mmdebstrap");
        Path partial = cacheDir.resolve("debian-12-minbase-" + key + "." + ProcessHandle.current().pid() + ".partial.tar");
        List<String> command = new ArrayList<>(List.of("mmdebstrap"));
        command.addAll(MMDEBSTRAP_OPTIONS);
        command.addAll(List.of(partial.toString(), mirror));
        try {
            Files.createDirectories(cacheDir);
            ContainerTools.Result made = tools.tryRun(BUILD_TIMEOUT, command);
            if (made.exitCode() != 0) {
                Files.deleteIfExists(partial);
                E2e.unavailable("mmdebstrap could not make a Debian 12 root filesystem from " + mirror
                        + " (is the mirror reachable? -D" + MIRROR_PROPERTY + "=... names another): " + made.describe());
            }
            Files.move(partial, cached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return cached;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot cache the Debian root filesystem in " + cacheDir, e);
        }
    }

    /**
     * Copies the JDK running this test into {@code target} with every symbolic link resolved: a JDK from a Debian
     * package links {@code lib/security/cacerts} to {@code /etc/ssl/certs/java}, outside any build context.
     */
    private static Path stageJdk(Path target) {
        Path home = Path.of(System.getProperty("java.home"));
        if (!Files.isExecutable(home.resolve("bin/jlink"))) {
            E2e.unavailable("the JVM running the tests (" + home + ") has no jlink: run them with a JDK 21 or newer");
        }
        try {
            Files.walkFileTree(home, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attrs) throws IOException {
                    Files.createDirectories(target.resolve(home.relativize(directory).toString()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.copy(file, target.resolve(home.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the JDK " + home + " to " + target, e);
        }
        return target;
    }

    /** Returns {@code src/main/docker/Dockerfile.jvm}, found from this module's folder ({@code src/test}). */
    private static Path dockerfile() {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        Path dockerfile = module.resolve("../main/docker/Dockerfile.jvm").toAbsolutePath().normalize();
        if (!Files.isRegularFile(dockerfile)) {
            fail("no Dockerfile at " + dockerfile + ": run the tests from the repository through Maven");
        }
        return dockerfile;
    }

    /**
     * Starts the image detached on the host's network, as a user would on the embedded default, and waits until
     * it is ready; the password reaches it through an env file, not the command line the logs record.
     */
    private Container run(ContainerTools tools, String name, String image, int port, int databasePort, String password) {
        Path envFile = tools.dir().resolve(name + ".env");
        write(envFile, "BERTH_ADMIN_PASSWORD=" + password + "\n");
        Container container = new Container(tools, name, port);
        containers.add(container);
        tools.podman("run", "--detach", "--name", name, "--network", "host",
                "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
                "--env-file", envFile.toString(),
                "--env", "QUARKUS_HTTP_HOST=127.0.0.1", "--env", "QUARKUS_HTTP_PORT=" + port,
                "--env", "BERTH_DATABASE_EMBEDDED_PORT=" + databasePort,
                "--volume", name + "-data:/data", image);
        // The host PIDs of conmon and of Berth, then of every process in the container once PostgreSQL runs: all
        // of them must be gone after the container.
        String[] pids = tools.podman("container", "inspect", "--format", "{{.State.ConmonPid}} {{.State.Pid}}", name)
                .out().trim().split(" ");
        container.conmon = ProcessHandle.of(Long.parseLong(pids[0]));
        ProcessHandle.of(Long.parseLong(pids[1])).ifPresent(container.processes::add);
        awaitReady(container);
        for (String pid : tools.podman("top", name, "hpid").out().lines().skip(1).map(String::trim).toList()) {
            ProcessHandle.of(Long.parseLong(pid)).filter(p -> !container.processes.contains(p))
                    .ifPresent(container.processes::add);
        }
        return container;
    }

    private static void awaitReady(Container container) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no answer yet";
        int attempt = 0;
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> ready = send(container, "GET", "/q/health/ready", null, null);
                if (ready.statusCode() == 200) {
                    return;
                }
                last = "HTTP " + ready.statusCode() + ": " + ready.body();
            } catch (UncheckedIOException e) {
                last = e.getCause().toString();
            }
            if (++attempt % 5 == 0) {
                String state = container.tools.podman("container", "inspect", "--format", "{{.State.Status}}",
                        container.name).out().trim();
                if (!state.equals("running")) {
                    fail(container.name + " is " + state + " before it was ready; its log:\n" + container.logs());
                }
            }
            sleep(1000);
        }
        fail(container.name + " was not ready within " + READY_TIMEOUT.toSeconds() + " s (" + last + "); its log:\n"
                + container.logs());
    }

    /** Berth (PID 1) and every PostgreSQL process run as the image's user, seen from podman and from /proc. */
    private static void assertRunsAsNonRoot(Container container) throws IOException {
        List<String[]> processes = container.tools.podman("top", container.name, "user,comm").out().lines().skip(1)
                .map(line -> line.trim().split("\\s+"))
                .toList();
        assertTrue(processes.stream().anyMatch(p -> p[1].equals("java")), "Berth runs: " + describe(processes));
        assertTrue(processes.stream().anyMatch(p -> p[1].equals("postgres")), "PostgreSQL runs: " + describe(processes));
        assertTrue(processes.stream().noneMatch(p -> p[0].equals("root") || p[0].equals("0")),
                "nothing in the container runs as root: " + describe(processes));
        for (ProcessHandle process : container.processes) {
            List<String> status;
            try {
                status = Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"));
            } catch (NoSuchFileException ended) {
                continue; // a PostgreSQL worker that has finished meanwhile
            }
            String uids = status.stream()
                    .filter(line -> line.startsWith("Uid:"))
                    .findFirst().orElse("");
            assertEquals(List.of(USER, USER, USER, USER), List.of(uids.substring("Uid:".length()).trim().split("\\s+")),
                    "the real, effective, saved and file system uid of host PID " + process.pid());
        }
        assertEquals(USER, container.tools.podman("exec", container.name, "id", "-u").out().trim(),
                "podman exec runs as the image's user");
    }

    /** The image's HEALTHCHECK (bash's /dev/tcp asking /q/health/ready) passes. */
    private static void assertHealthy(Container container) {
        ContainerTools.Result check = container.tools.tryRun(ContainerTools.DEFAULT_TIMEOUT,
                List.of("podman", "healthcheck", "run", container.name));
        assertEquals(0, check.exitCode(), "the health check: " + check.describe());
    }

    /**
     * A blob sent in two chunks is stored under its digest and served back whole; a wrong digest is refused: the
     * server in the container hashes uploads, and saves the hash state between chunks (which needs the java.base
     * packages the jar's manifest opens).
     */
    private static void assertUploadsAreHashed(Container container, String password) {
        byte[] blob = new byte[3 << 20];
        new SplittableRandom(185).nextBytes(blob);
        String digest = E2e.digestOf(blob);
        String repository = "/v2/admin/hash-check/blobs/";
        int half = blob.length / 2;

        String session = startUpload(container, password, repository);
        HttpResponse<String> chunk = send(container, "PATCH", session, password, Arrays.copyOfRange(blob, 0, half));
        assertEquals(202, chunk.statusCode(), "first chunk: " + chunk.body());
        session = location(chunk);
        chunk = send(container, "PATCH", session, password, Arrays.copyOfRange(blob, half, blob.length));
        assertEquals(202, chunk.statusCode(), "second chunk: " + chunk.body());
        HttpResponse<String> closed = send(container, "PUT", withDigest(location(chunk), digest), password, null);
        assertEquals(201, closed.statusCode(), "PUT ?digest= closes the upload: " + closed.body());
        HttpResponse<byte[]> served = sendForBytes(container, repository + digest, password);
        assertEquals(200, served.statusCode());
        assertEquals(digest, E2e.digestOf(served.body()), "the blob comes back as it was sent");

        String wrong = startUpload(container, password, repository);
        HttpResponse<String> refused = send(container, "PUT", withDigest(wrong, E2e.digestOf(new byte[] {1})), password,
                Arrays.copyOfRange(blob, 0, half));
        assertEquals(400, refused.statusCode(), "a blob whose content does not match its digest: " + refused.body());
        assertTrue(refused.body().contains("DIGEST_INVALID"), refused.body());
    }

    private static String startUpload(Container container, String password, String repository) {
        HttpResponse<String> started = send(container, "POST", repository + "uploads/", password, null);
        assertEquals(202, started.statusCode(), "POST " + repository + "uploads/: " + started.body());
        return location(started);
    }

    private static String location(HttpResponse<?> response) {
        URI location = URI.create(response.headers().firstValue("Location")
                .orElseThrow(() -> new AssertionError("no Location in the answer " + response.statusCode())));
        return location.getRawPath() + (location.getRawQuery() == null ? "" : "?" + location.getRawQuery());
    }

    private static String withDigest(String location, String digest) {
        return location + (location.contains("?") ? "&" : "?") + "digest=" + digest;
    }

    /** The pulled image says how it runs: its user, volume, port, data folder, health check and entry point. */
    private static void assertConfiguration(JsonNode image) {
        JsonNode config = image.path("Config");
        assertEquals(USER + ":" + USER, config.path("User").asText(), "USER: " + config);
        assertTrue(config.path("Volumes").has("/data"), "VOLUME /data: " + config);
        assertTrue(config.path("ExposedPorts").has("5000/tcp"), "EXPOSE 5000: " + config);
        assertTrue(config.path("Env").toString().contains("\"BERTH_DATA_DIR=/data\""), "BERTH_DATA_DIR: " + config);
        assertEquals("[\"java\",\"-jar\",\"/deployments/quarkus-run.jar\"]", config.path("Entrypoint").toString());
        assertTrue(image.path("Healthcheck").path("Test").toString().contains("/q/health/ready"),
                "HEALTHCHECK: " + image.path("Healthcheck"));
    }

    /** Stops every container (SIGTERM, then SIGKILL after {@link #STOP_SECONDS}) and removes it with its volume. */
    private void stopAll() {
        for (Container container : containers) {
            container.tools.tryRun(Duration.ofMinutes(3), List.of("podman", "stop", "--time",
                    Long.toString(STOP_SECONDS.toSeconds()), container.name));
            container.tools.tryRun(Duration.ofMinutes(3), List.of("podman", "rm", "--force", "--volumes", container.name));
            container.tools.tryRun(Duration.ofMinutes(1), List.of("podman", "volume", "rm", "--force",
                    container.name + "-data"));
        }
    }

    /**
     * Kills by PID, and returns, every process of a container (its conmon included) that outlived the container's
     * removal by {@link #EXIT_TIMEOUT}.
     */
    private List<String> stopLeftovers() {
        List<String> left = new ArrayList<>();
        for (Container container : containers) {
            List<ProcessHandle> all = new ArrayList<>(container.processes);
            container.conmon.ifPresent(all::add);
            for (ProcessHandle process : all) {
                // conmon writes the exit code after the container is gone: give every process a moment to end.
                try {
                    process.onExit().get(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                } catch (ExecutionException | TimeoutException stillRunning) {
                    left.add(container.name + ": PID " + process.pid() + " " + process.info().commandLine().orElse(""));
                    process.destroyForcibly();
                }
            }
        }
        return left;
    }

    private static HttpResponse<String> send(Container container, String method, String path, String password,
            byte[] body) {
        HttpRequest.Builder request = request(container, path, password)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body != null) {
            request.header("Content-Type", "application/octet-stream");
        }
        return send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<byte[]> sendForBytes(Container container, String path, String password) {
        return send(request(container, path, password).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpRequest.Builder request(Container container, String path, String password) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + container.port + path))
                .timeout(Duration.ofSeconds(60));
        if (password != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return request;
    }

    private static <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try (HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build()) {
            return client.send(request, handler);
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String describe(List<String[]> processes) {
        return processes.stream().map(p -> String.join(" ", p)).toList().toString();
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A container this test started, in the store of {@code tools}, with the host processes it ran. */
    private static final class Container {
        final ContainerTools tools;
        final String name;
        final int port;
        final List<ProcessHandle> processes = new ArrayList<>();
        Optional<ProcessHandle> conmon = Optional.empty();

        Container(ContainerTools tools, String name, int port) {
            this.tools = tools;
            this.name = name;
            this.port = port;
        }

        String logs() {
            ContainerTools.Result logs = tools.tryRun(Duration.ofMinutes(1), List.of("podman", "logs", "--tail", "80", name));
            return logs.out() + logs.stderr();
        }
    }
}
