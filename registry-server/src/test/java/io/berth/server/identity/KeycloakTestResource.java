package io.berth.server.identity;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * A real Keycloak for the tests: the {@code keycloak-quarkus-dist} that Maven unpacks into
 * {@code target/keycloak}, started in dev mode once per test JVM (every profile that names this resource
 * shares it) with the realms of {@code src/test/resources/keycloak} imported, and stopped when the JVM exits.
 *
 * <p>Realm {@code berth}: confidential client {@code berth} ({@link #CLIENT_SECRET}, password grant on,
 * a {@code groups} mapper with full paths), users {@code kc-admin} (client role {@code berth-admin}),
 * {@code kc-ops} (realm role {@code berth-admin}, client role {@code kcteam:delete}), {@code kc-dev} (group
 * {@code kcteam:write}), {@code kc-reader} (group {@code kcteam:read}) and {@code kc-lead} (group
 * {@code kcteam:admin}), each with password
 * {@code <username>-password}; public clients {@code berth-cli} (tokens for audience {@code berth} that live
 * 4 seconds) and {@code other-app}. Realm {@code other}: its own client {@code berth} and {@code kc-admin}.
 *
 * <p>The first start in a fresh {@code target} takes over a minute (Keycloak builds itself); later ones
 * about 20 seconds. The log is {@code target/keycloak/keycloak-<test JVM pid>.log}.
 */
public class KeycloakTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String REALM = "berth";
    public static final String OTHER_REALM = "other";
    public static final String CLIENT_ID = "berth";
    public static final String CLIENT_SECRET = "berth-test-client-secret";
    public static final String OTHER_REALM_CLIENT_SECRET = "other-realm-client-secret";

    private static final Logger LOG = Logger.getLogger(KeycloakTestResource.class);
    private static final Path UNPACKED = Path.of("target", "keycloak");
    private static final List<String> REALM_FILES = List.of("berth-realm.json", "other-realm.json");
    /** The first start builds Keycloak's optimised server, which takes a minute or more on a slow machine. */
    private static final Duration STARTUP_LIMIT = Duration.ofSeconds(240);
    private static final Duration STOP_LIMIT = Duration.ofSeconds(20);

    private static String baseUrl;

    /** Returns Keycloak's base URL, such as {@code http://127.0.0.1:41234}, starting it on first use. */
    public static synchronized String baseUrl() {
        if (baseUrl == null) {
            baseUrl = start(distribution());
        }
        return baseUrl;
    }

    /** Returns a realm's URL: its tokens' issuer. */
    public static String realmUrl(String realm) {
        return baseUrl() + "/realms/" + realm;
    }

    /** Returns a realm's OAuth2 token endpoint. */
    public static String tokenEndpoint(String realm) {
        return realmUrl(realm) + "/protocol/openid-connect/token";
    }

    @Override
    public Map<String, String> start() {
        return Map.of(
                KeycloakConfig.URL, realmUrl(REALM),
                KeycloakConfig.CLIENT_ID, CLIENT_ID,
                KeycloakConfig.CLIENT_SECRET, CLIENT_SECRET);
    }

    @Override
    public void stop() {
        // Keycloak outlives each application start; the shutdown hook stops it with the JVM.
    }

    private static Path distribution() {
        try (Stream<Path> entries = Files.list(UNPACKED)) {
            return entries.filter(entry -> Files.isRegularFile(entry.resolve("bin/kc.sh")))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no Keycloak in " + UNPACKED.toAbsolutePath()));
        } catch (IOException e) {
            throw new UncheckedIOException("no Keycloak unpacked in " + UNPACKED.toAbsolutePath()
                    + ": the build unpacks it (maven-dependency-plugin, generate-test-resources)", e);
        }
    }

    /**
     * Starts Keycloak and waits for its realm. Other test JVMs of the same checkout (other modules' or other
     * people's runs) may start the same distribution at the same moment: a file lock makes them take turns,
     * because the first start rewrites the distribution's {@code lib/quarkus} and two at once corrupt it.
     * The database is in memory ({@code dev-mem}), so each Keycloak has its own, with the realms freshly imported.
     */
    private static String start(Path home) {
        Instant begin = Instant.now();
        int httpPort = freePort();
        int managementPort = freePort();
        String url = "http://127.0.0.1:" + httpPort;
        Path log = UNPACKED.resolve("keycloak-" + ProcessHandle.current().pid() + ".log").toAbsolutePath();
        try (FileChannel lockFile = FileChannel.open(UNPACKED.resolve("start.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock turn = lockFile.lock()) {
            copyRealms(home);
            ProcessBuilder builder = new ProcessBuilder("/bin/sh", home.resolve("bin/kc.sh").toAbsolutePath().toString(),
                    "start-dev",
                    "--db", "dev-mem",
                    "--http-port", Integer.toString(httpPort),
                    "--http-host", "127.0.0.1",
                    "--http-management-port", Integer.toString(managementPort),
                    "--health-enabled", "true",
                    "--import-realm")
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            // The JVM running the tests is a JDK 21+, which Keycloak needs; the machine's default java may not be.
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            builder.environment().keySet().removeIf(name -> name.startsWith("KC_"));
            Process process = builder.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(process), "keycloak-test-stop"));
            awaitRealm(process, url, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Keycloak from " + home, e);
        }
        LOG.infof("Keycloak started at %s in %d s (log: %s)", url, Duration.between(begin, Instant.now()).toSeconds(), log);
        return url;
    }

    /** Puts the realms to import in place; unchanged files are left alone, as another Keycloak may be reading them. */
    private static void copyRealms(Path home) throws IOException {
        Path imports = Files.createDirectories(home.resolve("data/import"));
        for (String realmFile : REALM_FILES) {
            byte[] realm;
            try (InputStream in = Objects.requireNonNull(
                    KeycloakTestResource.class.getResourceAsStream("/keycloak/" + realmFile), realmFile)) {
                realm = in.readAllBytes();
            }
            Path target = imports.resolve(realmFile);
            if (!Files.exists(target) || !Arrays.equals(Files.readAllBytes(target), realm)) {
                Files.write(target, realm);
            }
        }
    }

    private static void awaitRealm(Process process, String url, Path log) {
        URI discovery = URI.create(url + "/realms/" + REALM + "/.well-known/openid-configuration");
        Instant deadline = Instant.now().plus(STARTUP_LIMIT);
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            while (Instant.now().isBefore(deadline)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Keycloak exited with " + process.exitValue() + "; see " + log);
                }
                try {
                    HttpResponse<Void> response = client.send(HttpRequest.newBuilder(discovery).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (response.statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // Not listening yet.
                }
                Thread.sleep(500);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop(process);
        throw new IllegalStateException("Keycloak did not serve realm " + REALM + " within " + STARTUP_LIMIT + "; see " + log);
    }

    /**
     * Stops what this resource started: kc.sh runs Keycloak as a child java process (and may replace itself
     * with one), so the children are stopped first, then the script.
     */
    private static void stop(Process process) {
        List<ProcessHandle> children = process.descendants().toList();
        children.forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            for (ProcessHandle child : children) {
                child.onExit().get(STOP_LIMIT.toSeconds(), TimeUnit.SECONDS);
            }
            process.waitFor(STOP_LIMIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            // Fall through to the forced stop.
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
