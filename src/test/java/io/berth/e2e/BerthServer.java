package io.berth.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The packaged Berth server ({@code java -jar quarkus-run.jar}) as a child process on its embedded
 * default: its own PostgreSQL under {@code <data-dir>/postgres} and blobs under {@code <data-dir>/blobs}.
 *
 * <p>{@link Builder#start()} picks free ports for HTTP and the embedded PostgreSQL, starts the server with
 * the {@code java} of the JVM running the tests, and waits until {@code GET /q/health/ready} answers 200.
 * With {@link Builder#tls}, it also serves HTTPS on a free port of its own, and readiness is polled over
 * HTTPS with a client that trusts the given CA.
 * {@link #stop()} (or {@link #close()}) stops it by its PID: SIGTERM, a wait, then SIGKILL. A normal
 * shutdown stops the embedded PostgreSQL too; whatever the server leaves behind (the postmaster runs
 * detached, with PPID 1) is stopped by the PID in its {@code postmaster.pid}, and reported in the
 * returned {@link Shutdown}.
 *
 * <p>The server's stdout and stderr go to a log file; failures quote its tail.
 */
public final class BerthServer implements AutoCloseable {

    /** How long a start may take before it counts as failed (the machines are small and busy). */
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POSTGRES_STOP_TIMEOUT = Duration.ofSeconds(15);
    private static final int START_ATTEMPTS = 3;

    private final Builder settings;
    private final int httpPort;
    private final int databasePort;
    private final int httpsPort;
    private final Process process;
    private final Thread shutdownHook;
    private volatile Optional<ProcessHandle> postgres = Optional.empty();
    private Shutdown shutdown;

    private BerthServer(Builder settings, int httpPort, int databasePort, int httpsPort, Process process) {
        this.settings = settings;
        this.httpPort = httpPort;
        this.databasePort = databasePort;
        this.httpsPort = httpsPort;
        this.process = process;
        // A test JVM that ends without closing the fixture (Ctrl-C, a Surefire timeout) still stops the server.
        this.shutdownHook = new Thread(this::stopQuietly, "berth-e2e-stop-" + process.pid());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Returns a builder for a server keeping its data (database and blobs) in {@code dataDir}. */
    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /** Returns {@code http://127.0.0.1:<port>}. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + httpPort);
    }

    /** Returns {@code 127.0.0.1:<port>}, the registry's name in image references. */
    public String registry() {
        return "127.0.0.1:" + httpPort;
    }

    public int httpPort() {
        return httpPort;
    }

    /** Returns {@code https://127.0.0.1:<https port>}; only for a server started with {@link Builder#tls}. */
    public URI httpsUri() {
        return URI.create("https://" + httpsRegistry());
    }

    /** Returns {@code 127.0.0.1:<https port>}, the registry's name in image references over HTTPS. */
    public String httpsRegistry() {
        if (httpsPort == 0) {
            throw new IllegalStateException("this server serves no HTTPS: start it with Builder.tls(...)");
        }
        return "127.0.0.1:" + httpsPort;
    }

    /** Returns the HTTPS port, or 0 when the server was started without {@link Builder#tls}. */
    public int httpsPort() {
        return httpsPort;
    }

    public int databasePort() {
        return databasePort;
    }

    public long pid() {
        return process.pid();
    }

    /** Returns the name of the administrator account the embedded default creates at first start. */
    public String adminUser() {
        return "admin";
    }

    /** Returns the administrator's HTTP Basic {@code Authorization} header value, for requests the tests send themselves. */
    public String adminAuthorization() {
        return "Basic " + java.util.Base64.getEncoder().encodeToString(
                (adminUser() + ":" + adminPassword()).getBytes(StandardCharsets.UTF_8));
    }

    /** Returns the administrator's password, set by this fixture through {@code BERTH_ADMIN_PASSWORD}. */
    public String adminPassword() {
        return settings.adminPassword;
    }

    public Path dataDir() {
        return settings.dataDir;
    }

    public Path logFile() {
        return settings.logFile;
    }

    /** Returns whether the server process is running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Returns the embedded PostgreSQL's postmaster, as read from its {@code postmaster.pid} once the server was ready. */
    public Optional<ProcessHandle> postgres() {
        return postgres;
    }

    /** Returns the last {@code lines} lines of the server's log. */
    public String logTail(int lines) {
        return tail(settings.logFile, lines);
    }

    /** Returns the whole server log (stdout and stderr of every start that shared this log file). */
    public String log() {
        return read(settings.logFile, 0);
    }

    /**
     * Stops the server by its PID and returns how it went. Sends SIGTERM and waits up to 30 s, then sends
     * SIGKILL. Afterwards the embedded PostgreSQL must be gone; if it is not, it is stopped by its PID
     * and {@link Shutdown#postgresLeftBehind()} is true. Calling it again returns the first result.
     */
    public synchronized Shutdown stop() {
        if (shutdown != null) {
            return shutdown;
        }
        List<ProcessHandle> descendants = process.descendants().toList();
        long started = System.nanoTime();
        process.destroy();
        boolean forced = false;
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                forced = true;
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        descendants.forEach(BerthServer::terminate);
        Optional<ProcessHandle> postmaster = postgres.or(() -> readPostmaster(settings.dataDir));
        boolean postgresLeftBehind = postmaster.map(BerthServer::terminate).orElse(false);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself
        }
        shutdown = new Shutdown(process.isAlive() ? -1 : process.exitValue(), forced, postgresLeftBehind, took);
        return shutdown;
    }

    /**
     * Kills the server and its embedded PostgreSQL at once with SIGKILL, as an OOM kill or {@code docker kill}
     * of their container would: the JVM, the postmaster and every PostgreSQL backend, so nothing gets to
     * flush or shut down. Waits until all of them are gone; a later {@link #stop()} does nothing more.
     */
    public synchronized void kill() {
        List<ProcessHandle> victims = new ArrayList<>();
        victims.add(process.toHandle());
        Optional<ProcessHandle> postmaster = postgres.or(() -> readPostmaster(settings.dataDir));
        postmaster.ifPresent(p -> {
            victims.add(p);
            victims.addAll(p.descendants().toList());
        });
        victims.addAll(process.descendants().toList());
        victims.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle victim : victims) {
            try {
                victim.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("process " + victim.pid() + " outlived SIGKILL", e);
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // called while the test JVM exits
        }
        shutdown = new Shutdown(-1, true, false, Duration.ZERO);
    }

    @Override
    public void close() {
        stop();
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (RuntimeException ignored) {
            // best effort while the test JVM exits
        }
    }

    /**
     * How a stop went.
     *
     * @param exitCode the server's exit code (-1 if it could not be stopped)
     * @param forced whether it had to be killed (it did not stop within 30 s of SIGTERM)
     * @param postgresLeftBehind whether the embedded PostgreSQL still ran after the server had exited
     * @param took how long the server took to exit
     */
    public record Shutdown(int exitCode, boolean forced, boolean postgresLeftBehind, Duration took) {
    }

    /** Settings for a server; {@link #start()} starts it. */
    public static final class Builder {
        private final Path dataDir;
        private Path logFile;
        private final List<String> jvmOptions = new ArrayList<>();
        private final List<String> properties = new ArrayList<>();
        private Duration readyTimeout = DEFAULT_READY_TIMEOUT;
        private int httpPort;
        private int databasePort;
        private String adminPassword = "e2e-" + java.util.UUID.randomUUID();
        private Path tlsCertificateFile;
        private Path tlsKeyFile;
        private Path tlsCaFile;
        private int httpsPort;

        private Builder(Path dataDir) {
            this.dataDir = dataDir.toAbsolutePath().normalize();
            this.logFile = this.dataDir.resolveSibling(this.dataDir.getFileName() + "-server.log");
        }

        /** Adds a JVM option, such as {@code -Xmx256m}. */
        public Builder jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        /** Adds a configuration property, passed as {@code -Dkey=value}. */
        public Builder property(String key, String value) {
            properties.add("-D" + key + "=" + value);
            return this;
        }

        /** Sets the log file (appended to, so a restart keeps the earlier output); by default next to the data dir. */
        public Builder logFile(Path file) {
            this.logFile = file.toAbsolutePath().normalize();
            return this;
        }

        public Builder readyTimeout(Duration timeout) {
            this.readyTimeout = timeout;
            return this;
        }

        /** Uses these ports instead of free ones, for example to restart a server where it was. */
        public Builder ports(int http, int database) {
            this.httpPort = http;
            this.databasePort = database;
            return this;
        }

        /**
         * Serves HTTPS from these PEM files ({@code berth.tls.certificate-file}, {@code berth.tls.key-file}) on a
         * free port ({@code berth.tls.port}), and polls readiness over HTTPS trusting {@code caCertificateFile}.
         */
        public Builder tls(Path certificateFile, Path keyFile, Path caCertificateFile) {
            this.tlsCertificateFile = certificateFile.toAbsolutePath().normalize();
            this.tlsKeyFile = keyFile.toAbsolutePath().normalize();
            this.tlsCaFile = caCertificateFile.toAbsolutePath().normalize();
            return this;
        }

        /** Returns a builder with the same settings and ports as the given server: its restart. */
        public static Builder like(BerthServer server) {
            Builder copy = new Builder(server.settings.dataDir);
            copy.logFile = server.settings.logFile;
            copy.jvmOptions.addAll(server.settings.jvmOptions);
            copy.properties.addAll(server.settings.properties);
            copy.readyTimeout = server.settings.readyTimeout;
            copy.adminPassword = server.settings.adminPassword;
            copy.tlsCertificateFile = server.settings.tlsCertificateFile;
            copy.tlsKeyFile = server.settings.tlsKeyFile;
            copy.tlsCaFile = server.settings.tlsCaFile;
            copy.httpsPort = server.httpsPort;
            return copy.ports(server.httpPort, server.databasePort);
        }

        /**
         * Starts the server and waits until it is ready. Retries with other free ports when a port was
         * taken meanwhile; throws IllegalStateException with the log's tail when it does not become ready.
         */
        public BerthServer start() {
            try {
                Files.createDirectories(dataDir);
                Files.createDirectories(logFile.getParent());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            boolean fixedPorts = httpPort != 0;
            IllegalStateException last = null;
            for (int attempt = 1; attempt <= (fixedPorts ? 1 : START_ATTEMPTS); attempt++) {
                int http = fixedPorts ? httpPort : freePort();
                int database = fixedPorts ? databasePort : freePort(http);
                int https = tlsCertificateFile == null ? 0
                        : fixedPorts && httpsPort != 0 ? httpsPort : freePort(http, database);
                try {
                    return startOnce(http, database, https);
                } catch (PortTakenException e) {
                    last = e;
                }
            }
            throw last;
        }

        private BerthServer startOnce(int http, int database, int https) {
            List<String> command = new ArrayList<>();
            command.add(javaExecutable());
            command.addAll(jvmOptions);
            command.add("-Dberth.data-dir=" + dataDir);
            command.add("-Dberth.database.embedded.port=" + database);
            command.add("-Dquarkus.http.port=" + http);
            command.add("-Dquarkus.http.host=127.0.0.1");
            if (tlsCertificateFile != null) {
                command.add("-Dberth.tls.certificate-file=" + tlsCertificateFile);
                command.add("-Dberth.tls.key-file=" + tlsKeyFile);
                command.add("-Dberth.tls.port=" + https);
            }
            command.addAll(properties);
            command.add("-jar");
            command.add(E2e.serverJar().toString());

            long logStart = logFile.toFile().length();
            appendToLog("---- " + java.time.Instant.now() + " starting: " + String.join(" ", command) + "\n");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(dataDir.getParent().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.PIPE);
            Map<String, String> environment = builder.environment();
            // Only what this fixture passes configures the server, not whatever the calling shell exports.
            environment.keySet().removeIf(name -> name.startsWith("BERTH_") || name.startsWith("QUARKUS_"));
            // Through the environment, as the README says, and so it is not in the command line this log records.
            environment.put("BERTH_ADMIN_PASSWORD", adminPassword);
            Process process;
            try {
                process = builder.start();
                process.getOutputStream().close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + command, e);
            }
            BerthServer server = new BerthServer(this, http, database, https, process);
            try {
                server.awaitReady(readyTimeout, logStart);
                server.postgres = readPostmaster(dataDir);
                return server;
            } catch (RuntimeException e) {
                server.stop();
                throw e;
            }
        }

        private void appendToLog(String line) {
            try {
                Files.writeString(logFile, line, StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void awaitReady(Duration timeout, long logStart) {
        HttpClient.Builder clientBuilder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2));
        // Over HTTPS when it is on: that works whether plain HTTP is kept for loopback or switched off.
        URI readyBase = baseUri();
        if (settings.tlsCaFile != null) {
            clientBuilder.sslContext(sslContextTrusting(settings.tlsCaFile));
            readyBase = httpsUri();
        }
        HttpClient client = clientBuilder.build();
        HttpRequest ready = HttpRequest.newBuilder(readyBase.resolve("/q/health/ready"))
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastAnswer = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String tail = logTail(60);
                String message = "the server exited with code " + process.exitValue() + " before it was ready ("
                        + settings.logFile + "); last lines of its log:\n" + tail;
                String thisRun = logSince(logStart);
                if (thisRun.contains("Address already in use") || thisRun.contains("Port " + httpPort)
                        || (httpsPort != 0 && thisRun.contains("Port " + httpsPort))
                        || thisRun.contains("could not bind")) {
                    throw new PortTakenException(message);
                }
                throw new IllegalStateException(message);
            }
            try {
                HttpResponse<String> answer = client.send(ready, HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200) {
                    return;
                }
                lastAnswer = "HTTP " + answer.statusCode() + ": " + answer.body();
            } catch (IOException e) {
                lastAnswer = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the server", e);
            }
            sleep(250);
        }
        throw new IllegalStateException("the server (PID " + process.pid() + ", " + readyBase + ") was not ready within "
                + timeout.toSeconds() + " s; last answer of /q/health/ready: " + lastAnswer + "; last lines of its log ("
                + settings.logFile + "):\n" + logTail(60));
    }

    private String logSince(long offset) {
        return read(settings.logFile, offset);
    }

    /** Thrown when the server could not bind a port that was free when it was picked. */
    private static final class PortTakenException extends IllegalStateException {
        PortTakenException(String message) {
            super(message);
        }
    }

    /** Returns the postmaster of the embedded PostgreSQL under the data dir, if it runs. */
    private static Optional<ProcessHandle> readPostmaster(Path dataDir) {
        Path postgresRoot = dataDir.resolve("postgres");
        if (!Files.isDirectory(postgresRoot)) {
            return Optional.empty();
        }
        try (var files = Files.walk(postgresRoot, 3)) {
            return files.filter(p -> p.getFileName().toString().equals("postmaster.pid"))
                    .findFirst()
                    .flatMap(BerthServer::firstLine)
                    .flatMap(pid -> {
                        try {
                            return ProcessHandle.of(Long.parseLong(pid.trim()));
                        } catch (NumberFormatException e) {
                            return Optional.empty();
                        }
                    })
                    .filter(BerthServer::isPostgres);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> firstLine(Path file) {
        try {
            return Files.readAllLines(file).stream().findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Guards against a recycled PID: only a process whose command is PostgreSQL's is stopped. */
    private static boolean isPostgres(ProcessHandle handle) {
        return handle.info().command().map(c -> c.endsWith("/postgres") || c.endsWith("/postmaster")).orElse(false);
    }

    /** Stops a process that is still alive (SIGTERM, a wait, SIGKILL); returns whether it was alive. */
    private static boolean terminate(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return false;
        }
        // A clean server shutdown stops PostgreSQL itself: give it a moment before calling it left behind.
        try {
            handle.onExit().get(POSTGRES_STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return false;
        } catch (Exception stillRunning) {
            // stop it below
        }
        handle.destroy();
        try {
            handle.onExit().get(POSTGRES_STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception stillRunning) {
            handle.destroyForcibly();
        }
        return true;
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** Returns a TLS context that trusts only the CA certificate(s) in the given PEM file. */
    public static SSLContext sslContextTrusting(Path caCertificateFile) {
        try (var in = Files.newInputStream(caCertificateFile)) {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            int n = 0;
            for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("ca-" + n++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + caCertificateFile, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context trusting " + caCertificateFile, e);
        }
    }

    /** Returns a TCP port on 127.0.0.1 that is free now (and differs from {@code others}). */
    static int freePort(int... others) {
        for (int i = 0; i < 20; i++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = socket.getLocalPort();
                if (java.util.Arrays.stream(others).noneMatch(o -> o == port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free port", e);
            }
        }
        throw new IllegalStateException("no free port found");
    }

    static String tail(Path file, int lines) {
        List<String> all = read(file, 0).lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** Reads a log from a byte offset on; a malformed byte never makes a failure message fail. */
    private static String read(Path file, long offset) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            int from = (int) Math.min(offset, bytes.length);
            return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
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
}
