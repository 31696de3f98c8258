package io.berth.e2e;

import io.berth.testing.TestPostgres;
import io.berth.testing.s3.S3ProxyServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Berth as it runs in production: replicas of the packaged server that share one external PostgreSQL
 * (zonky's binaries, started here as a library), one S3 server (s3proxy, a child process) and one
 * token signing key, each on a port of its own. {@link #close()} stops everything by PID.
 */
final class S3Replicas implements AutoCloseable {

    static final String BUCKET = "berth-e2e";

    private final Path dir;
    private final EmbeddedPostgres postgres;
    private final S3ProxyServer s3;
    private final Path signingKey;
    private final List<BerthServer> servers = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private S3Replicas(Path dir, EmbeddedPostgres postgres, S3ProxyServer s3, Path signingKey) {
        this.dir = dir;
        this.postgres = postgres;
        this.s3 = s3;
        this.signingKey = signingKey;
    }

    /** Starts PostgreSQL and S3 under {@code dir}; replicas are started with {@link #startReplica}. */
    static S3Replicas start(Path dir) {
        return start(dir, null, null);
    }

    /**
     * As {@link #start(Path)}, with S3 answering HTTPS only, with the key and certificate in the PKCS#12
     * {@code keystore}. Replicas must be started with a trust store that holds the certificate.
     */
    static S3Replicas startWithTls(Path dir, Path keystore, String keystorePassword) {
        return start(dir, keystore, keystorePassword);
    }

    private static S3Replicas start(Path dir, Path keystore, String keystorePassword) {
        EmbeddedPostgres postgres = null;
        S3ProxyServer s3 = null;
        try {
            // The binaries are shared with every other test; the data stays under this test's directory.
            postgres = TestPostgres.start(dir.resolve("postgres"));
            Path s3Dir = Files.createDirectories(dir.resolve("s3"));
            s3 = keystore == null ? S3ProxyServer.start(s3Dir, false) : S3ProxyServer.startTls(s3Dir, keystore, keystorePassword);
            return new S3Replicas(dir, postgres, s3, writeSigningKey(dir.resolve("token-signing-key.pem")));
        } catch (IOException | RuntimeException e) {
            closeQuietly(s3, postgres);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** Starts one more replica (its own HTTP port and data dir; shared database, bucket and key) and waits until it is ready. */
    BerthServer startReplica(String name, String... jvmOptions) {
        BerthServer.Builder builder = BerthServer.builder(dir.resolve(name))
                .property("berth.database.url", postgres.getJdbcUrl("postgres", "postgres"))
                .property("berth.database.username", "postgres")
                .property("berth.database.password", "postgres")
                .property("berth.storage.type", "s3")
                .property("berth.storage.s3.endpoint", s3.endpoint())
                .property("berth.storage.s3.region", "us-east-1")
                .property("berth.storage.s3.bucket", BUCKET)
                .property("berth.storage.s3.path-style", "true")
                .property("berth.storage.s3.access-key", S3ProxyServer.ACCESS_KEY)
                .property("berth.storage.s3.secret-key", S3ProxyServer.SECRET_KEY)
                .property("berth.auth.token.signing-key-file", signingKey.toString());
        for (String option : jvmOptions) {
            builder.jvmOption(option);
        }
        BerthServer server = builder.start();
        servers.add(server);
        return server;
    }

    S3ProxyServer s3() {
        return s3;
    }

    /**
     * Returns the administrator's Basic credentials. The first replica created the administrator in the
     * shared database with its password; later replicas find it there and keep it.
     */
    String adminAuthorization() {
        return servers.get(0).adminAuthorization();
    }

    HttpClient http() {
        return http;
    }

    /** Sends a request and returns the answer as text. */
    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("request to " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Returns a request to {@code path} (a path, or a Location header) on {@code server}, as the administrator. */
    HttpRequest.Builder request(BerthServer server, String path) {
        return HttpRequest.newBuilder(server.baseUri().resolve(URI.create(path).getRawPath()
                        + (URI.create(path).getRawQuery() == null ? "" : "?" + URI.create(path).getRawQuery())))
                .timeout(Duration.ofMinutes(3))
                .header("Authorization", adminAuthorization());
    }

    String logs() {
        StringBuilder logs = new StringBuilder();
        for (BerthServer server : servers) {
            logs.append("---- ").append(server.registry()).append(":\n").append(server.logTail(40)).append('\n');
        }
        return logs.append("---- s3proxy:\n").append(s3.logTail(20)).toString();
    }

    @Override
    public void close() {
        http.close();
        for (BerthServer server : servers) {
            server.stop();
        }
        closeQuietly(s3, postgres);
    }

    private static void closeQuietly(S3ProxyServer s3, EmbeddedPostgres postgres) {
        if (s3 != null) {
            s3.close();
        }
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException ignored) {
                // its directory is deleted with the test folder
            }
        }
    }

    /** Writes a new EC P-256 private key as PKCS#8 PEM, as {@code openssl genpkey} does. */
    private static Path writeSigningKey(Path file) throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            byte[] pkcs8 = generator.generateKeyPair().getPrivate().getEncoded();
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs8)
                    + "\n-----END PRIVATE KEY-----\n";
            return Files.writeString(file, pem, StandardCharsets.US_ASCII);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make an EC P-256 key", e);
        }
    }
}
