package io.berth.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * CNCF distribution 2.8.2 (Debian's {@code docker-registry}) as a real upstream registry: a child
 * process on a free loopback port with filesystem storage in a temporary directory, and HTTP Basic
 * auth when given an htpasswd file. Stopped when the JVM exits.
 */
public final class DistributionRegistry implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path directory;

    private DistributionRegistry(Process process, int port, Path directory) {
        this.process = process;
        this.port = port;
        this.directory = directory;
    }

    /** Starts a registry; with {@code htpasswd} (bcrypt lines) it requires Basic auth. */
    public static DistributionRegistry start(Optional<String> htpasswd) {
        try {
            Path directory = Files.createTempDirectory("berth-upstream-");
            int port = freePort();
            String auth = "";
            if (htpasswd.isPresent()) {
                Path file = directory.resolve("htpasswd");
                Files.writeString(file, htpasswd.get());
                auth = "auth:\n  htpasswd:\n    realm: upstream\n    path: " + file + "\n";
            }
            Files.writeString(directory.resolve("config.yml"), """
                    version: 0.1
                    log:
                      level: warn
                    storage:
                      filesystem:
                        rootdirectory: %s
                      delete:
                        enabled: true
                    http:
                      addr: 127.0.0.1:%d
                    %s""".formatted(directory.resolve("storage"), port, auth));
            ProcessBuilder builder = new ProcessBuilder("docker-registry", "serve", directory.resolve("config.yml").toString())
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("registry.log").toFile());
            // docker-registry reads every REGISTRY_* variable as a configuration override.
            builder.environment().keySet().removeIf(name -> name.startsWith("REGISTRY_"));
            Process process = builder.start();
            DistributionRegistry registry = new DistributionRegistry(process, port, directory);
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            registry.awaitReady();
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start docker-registry (apt-get install docker-registry)", e);
        }
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited: " + log());
            }
            try {
                int status = http.send(HttpRequest.newBuilder(URI.create(url() + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200 || status == 401) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("docker-registry did not answer on " + port + ": " + log());
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    private String log() {
        try {
            return Files.readString(directory.resolve("registry.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
    }
}
