package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Berth on an S3 endpoint that speaks HTTPS only, as AWS S3 does: uploads through the MinIO client,
 * downloads over pooled connections (small blobs) and over connections of their own (large ones), all
 * verifying the endpoint's certificate and host name against the JVM's trust store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class S3TlsTest {

    private static final String STORE_PASSWORD = "s3-tls-test";

    @RegisterExtension
    static final BerthFixture berth = BerthFixture.folderPerClass("s3-tls");

    private S3Replicas replicas;
    private BerthServer server;

    @BeforeAll
    void start() throws Exception {
        Path dir = berth.dir();
        Path keystore = dir.resolve("s3proxy.p12");
        Path certificate = dir.resolve("s3proxy.pem");
        Path truststore = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "s3proxy", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "s3proxy", "-keystore", keystore.toString(),
                "-storepass", STORE_PASSWORD, "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "s3proxy", "-file", certificate.toString(),
                "-keystore", truststore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);

        replicas = berth.closing(S3Replicas.startWithTls(dir, keystore, STORE_PASSWORD));
        assertTrue(replicas.s3().endpoint().startsWith("https://"), replicas.s3().endpoint());
        server = replicas.startReplica("replica",
                "-Djavax.net.ssl.trustStore=" + truststore,
                "-Djavax.net.ssl.trustStorePassword=" + STORE_PASSWORD,
                "-Djavax.net.ssl.trustStoreType=PKCS12");
    }

    @Test
    void smallAndLargeBlobsGoInAndComeBackOverHttps() {
        for (int size : List.of(10_000, 3 * 1024 * 1024 + 5)) {
            byte[] bytes = new byte[size];
            new SplittableRandom(size).nextBytes(bytes);
            String digest = E2e.digestOf(bytes);
            String blob = "/v2/e2e/s3-tls/blobs/" + digest;

            HttpResponse<String> pushed = replicas.send(replicas.request(server,
                            "/v2/e2e/s3-tls/blobs/uploads/?digest=" + digest)
                    .header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build());
            assertEquals(201, pushed.statusCode(), pushed.body() + "\n" + replicas.logs());

            HttpResponse<byte[]> whole = get(replicas.request(server, blob).GET().build());
            assertEquals(200, whole.statusCode(), new String(whole.body(), StandardCharsets.UTF_8) + "\n" + replicas.logs());
            assertEquals(digest, E2e.digestOf(whole.body()));

            HttpResponse<byte[]> range = get(replicas.request(server, blob).header("Range", "bytes=100-8099").GET().build());
            assertEquals(206, range.statusCode());
            assertArrayEquals(Arrays.copyOfRange(bytes, 100, 8100), range.body());
        }
    }

    private HttpResponse<byte[]> get(HttpRequest request) {
        try {
            return replicas.http().send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AssertionError("GET " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void keytool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0,
                "keytool " + String.join(" ", arguments) + ":\n" + output);
    }
}
