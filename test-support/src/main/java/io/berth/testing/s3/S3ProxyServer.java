package io.berth.testing.s3;

import io.berth.testing.TestDirectories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real S3 server for tests: s3proxy ({@code org.gaul:s3proxy}, jar-with-dependencies) as a child
 * process on a free loopback port, with its filesystem backend in a directory of its own (or its
 * in-memory {@code transient} backend). A child process keeps s3proxy's fat jar off the test classpath.
 *
 * <p>The jar comes from the system property {@code berth.s3proxy.jar} (set by the modules' Surefire
 * configuration, which copies it from Maven Central), or from the local Maven repository.
 * {@link #close()} stops the process by its PID and deletes the directory.
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String VERSION = "4.1.0";
    public static final String ACCESS_KEY = "berth-test-access";
    public static final String SECRET_KEY = "berth-test-secret-" + UUID.randomUUID();

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final int port;
    private final boolean tls;
    private final Path directory;
    private final Path log;
    private final Thread shutdownHook;

    private S3ProxyServer(Process process, int port, boolean tls, Path directory, Path log) {
        this.process = process;
        this.port = port;
        this.tls = tls;
        this.directory = directory;
        this.log = log;
        // Without close() (servers shared by every test of a JVM), the directory goes with the JVM.
        this.shutdownHook = new Thread(() -> {
            stopProcess();
            TestDirectories.deleteTree(directory);
        }, "s3proxy-stop-" + process.pid());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts s3proxy with its filesystem backend under a new temporary directory. */
    public static S3ProxyServer start() {
        try {
            return start(Files.createTempDirectory("berth-s3proxy"), false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts s3proxy keeping its objects under {@code directory/data} (or in memory with {@code inMemory}),
     * its configuration and log in {@code directory}.
     */
    public static S3ProxyServer start(Path directory, boolean inMemory) {
        return start(directory, inMemory, null, null);
    }

    /**
     * Starts s3proxy answering HTTPS only, with the key and certificate in the PKCS#12 {@code keystore};
     * objects under {@code directory/data}.
     */
    public static S3ProxyServer startTls(Path directory, Path keystore, String keystorePassword) {
        return start(directory, false, keystore, keystorePassword);
    }

    private static S3ProxyServer start(Path directory, boolean inMemory, Path keystore, String keystorePassword) {
        Path jar = jar();
        boolean tls = keystore != null;
        try {
            Files.createDirectories(directory.resolve("data"));
            Path log = directory.resolve("s3proxy.log");
            IllegalStateException last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = freePort();
                Path properties = directory.resolve("s3proxy.properties");
                List<String> lines = new ArrayList<>(List.of(
                        tls ? "s3proxy.secure-endpoint=https://127.0.0.1:" + port : "s3proxy.endpoint=http://127.0.0.1:" + port,
                        "s3proxy.authorization=aws-v2-or-v4",
                        "s3proxy.identity=" + ACCESS_KEY,
                        "s3proxy.credential=" + SECRET_KEY));
                if (tls) {
                    lines.add("s3proxy.keystore-path=" + keystore);
                    lines.add("s3proxy.keystore-password=" + keystorePassword);
                }
                if (inMemory) {
                    lines.add("jclouds.provider=transient");
                } else {
                    lines.add("jclouds.provider=filesystem");
                    lines.add("jclouds.filesystem.basedir=" + directory.resolve("data"));
                }
                Files.write(properties, lines, StandardCharsets.UTF_8);
                Process process = new ProcessBuilder(javaExecutable(), "-Xmx512m", "-jar", jar.toString(),
                        "--properties", properties.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
                process.getOutputStream().close();
                S3ProxyServer server = new S3ProxyServer(process, port, tls, directory, log);
                try {
                    server.awaitReady();
                    return server;
                } catch (IllegalStateException e) {
                    server.stopProcess();
                    last = e;
                }
            }
            throw last;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start s3proxy from " + jar, e);
        }
    }

    /** Returns the s3proxy jar: {@code -Dberth.s3proxy.jar}, else the copy in the local Maven repository. */
    public static Path jar() {
        String configured = System.getProperty("berth.s3proxy.jar");
        Path jar = configured != null ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".m2", "repository", "org", "gaul", "s3proxy", VERSION,
                        "s3proxy-" + VERSION + "-jar-with-dependencies.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("s3proxy is not at " + jar + "; build with Maven, which copies "
                    + "org.gaul:s3proxy:" + VERSION + ":jar-with-dependencies there");
        }
        return jar;
    }

    /** Returns {@code http://127.0.0.1:<port>}, or {@code https://localhost:<port>} when it answers HTTPS. */
    public String endpoint() {
        return tls ? "https://localhost:" + port : "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    /** Returns the directory under which the filesystem backend keeps buckets and objects. */
    public Path dataDirectory() {
        return directory.resolve("data");
    }

    /** Returns the last lines of s3proxy's log. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the process (SIGTERM, then SIGKILL) and deletes its directory. */
    @Override
    public void close() {
        stopProcess();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // called while the JVM exits
        }
        TestDirectories.deleteTree(directory);
    }

    /** Stops the process only, keeping the data: for tests of an S3 outage. */
    public void stopProcess() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            HttpRequest probe = HttpRequest.newBuilder(URI.create(endpoint() + "/")).timeout(Duration.ofSeconds(5)).GET().build();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("s3proxy exited with " + process.exitValue() + ":\n" + logTail(30));
                }
                try {
                    if (tls) {
                        // The probe would not trust the certificate: a connection means it listens.
                        try (Socket socket = new Socket()) {
                            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
                        }
                    } else {
                        // Any answer (403 without credentials) means it listens.
                        http.send(probe, HttpResponse.BodyHandlers.discarding());
                    }
                    return;
                } catch (IOException notYet) {
                    Thread.sleep(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting s3proxy", e);
        }
        throw new IllegalStateException("s3proxy did not answer within " + START_TIMEOUT.toSeconds() + " s:\n" + logTail(30));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
