package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * HTTPS from PEM files ({@code berth.tls.certificate-file}, {@code berth.tls.key-file}): skopeo and podman push
 * and pull over HTTPS with certificate verification on, trusting a CA this test issues through
 * {@code --cert-dir} (the per-command form of {@code /etc/containers/certs.d/<host:port>/ca.crt}); clients
 * that do not trust the CA are refused by their own verification; and plain HTTP, kept on its port, answers
 * loopback clients only ({@code berth.tls.plain-http=loopback}, the default) or is not opened at all
 * ({@code disabled}).
 *
 * <p>No client is told {@code --tls-verify=false} and no registry is marked insecure here: what passes,
 * passes with verification. Credentials are the fixture's administrator, so the test holds once
 * authentication is enforced.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TlsTest {

    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    @RegisterExtension
    static final BerthFixture berth = BerthFixture.folderPerClass("tls");

    private TestPki pki;

    @BeforeAll
    void startServer() {
        pki = TestPki.issue(berth.dir().resolve("pki"));
        berth.start(BerthServer.builder(berth.dir().resolve("data"))
                .tls(pki.serverCertificate(), pki.serverKey(), pki.caCertificate())
                // Every address, not just loopback: plainHttpServesLoopbackOnly reaches the HTTP port from this
                // machine's own non-loopback address, which is what a client elsewhere looks like to the server.
                .property("quarkus.http.host", "0.0.0.0"));
    }

    @Test
    void skopeoPushesAndPullsOverHttpsTrustingTheTestCa() {
        ContainerTools.requireSkopeo();
        try (ContainerTools tools = ContainerTools.create(berth.dir(), "skopeo-https")) {
            Path layout = tools.newDir("source");
            OciLayout.Image source = TestImage.write(layout, "1", true);
            String reference = "docker://" + berth.server().httpsRegistry() + "/e2e/tls:1";
            String certDir = pki.clientCertDir().toString();

            tools.skopeo("copy", "--dest-cert-dir", certDir, "--dest-creds", credentials(),
                    "oci:" + layout + ":1", reference);

            byte[] raw = tools.skopeo("inspect", "--raw", "--cert-dir", certDir, "--creds", credentials(), reference)
                    .stdout();
            assertArrayEquals(source.manifest(), raw, "the manifest comes back byte for byte over HTTPS");

            Path out = tools.newDir("pulled");
            tools.skopeo("copy", "--src-cert-dir", certDir, "--src-creds", credentials(), reference,
                    "oci:" + out + ":1");
            OciLayout.Image pulled = OciLayout.read(out, "1");
            assertEquals(source.manifestDigest(), pulled.manifestDigest());
            assertEquals(OCI_MANIFEST, pulled.mediaType());
            assertEquals(source.configDigest(), pulled.configDigest());
            assertEquals(source.layerDigests(), pulled.layerDigests());
            assertEquals(source.diffIds(), pulled.diffIds());
        }
    }

    @Test
    void podmanPushesAndPullsOverHttpsWithCertDir() throws IOException {
        Path dir = berth.dir();
        ContainerTools.requirePodman();
        try (ContainerTools pusher = ContainerTools.create(dir, "podman-https-push");
                ContainerTools puller = ContainerTools.create(dir, "podman-https-pull")) {
            OciLayout.Image source = TestImage.write(pusher.newDir("source"), "1", true);
            String reference = berth.server().httpsRegistry() + "/e2e/tls-podman:1";
            String certDir = pki.clientCertDir().toString();

            String id = pusher.podman("pull", "-q", "oci:" + pusher.dir().resolve("work/source") + ":1").out().trim();
            Path digestFile = pusher.dir().resolve("pushed.digest");
            pusher.podman("push", "--cert-dir", certDir, "--creds", credentials(), "--digestfile",
                    digestFile.toString(), id, "docker://" + reference);
            String pushed = Files.readString(digestFile).trim();

            puller.podman("pull", "--cert-dir", certDir, "--creds", credentials(), reference);
            JsonNode image = OciLayout.parse(puller.podman("image", "inspect", reference).stdout()).get(0);
            assertEquals(pushed, image.path("Digest").asText(), "podman records the digest it pulled");
            assertEquals(source.diffIds(), strings(image.path("RootFS").path("Layers")),
                    "the pulled layers unpack to the source's");
        }
    }

    @Test
    void clientsThatDoNotTrustTheTestCaAreRefusedByTheirVerification() throws Exception {
        BerthServer server = berth.server();
        ContainerTools.requireSkopeo();
        try (ContainerTools tools = ContainerTools.create(berth.dir(), "skopeo-untrusting")) {
            String reference = "docker://" + server.httpsRegistry() + "/e2e/tls:1";
            ContainerTools.Result untrusted = tools.tryRun(ContainerTools.DEFAULT_TIMEOUT, List.of("skopeo",
                    "--policy", tools.dir().resolve("policy.json").toString(),
                    "--registries.d", tools.dir().resolve("registries.d").toString(),
                    "inspect", "--raw", "--creds", credentials(), reference));
            assertNotEquals(0, untrusted.exitCode(), untrusted.describe());
            assertTrue(untrusted.stderr().contains("certificate signed by unknown authority"),
                    "skopeo fails on the certificate, not on anything else: " + untrusted.describe());
        }

        // The JDK's default trust store does not know the test CA either...
        IOException refused = assertThrows(IOException.class,
                () -> send(HttpClient.newBuilder(), server.httpsUri().resolve("/v2/")));
        assertTrue(causes(refused, SSLHandshakeException.class), "a TLS handshake failure: " + refused);

        // ...while a client trusting it verifies the certificate for both names it carries.
        SSLContext trusting = BerthServer.sslContextTrusting(pki.caCertificate());
        for (String host : List.of("127.0.0.1", "localhost")) {
            URI uri = URI.create("https://" + host + ":" + server.httpsPort() + "/v2/");
            HttpResponse<String> answer = send(HttpClient.newBuilder().sslContext(trusting), uri);
            // 401 once authentication is enforced: either way the handshake and the request went through.
            assertTrue(answer.statusCode() == 200 || answer.statusCode() == 401, uri + ": " + answer.statusCode());
        }
    }

    @Test
    void plainHttpServesLoopbackOnly() throws Exception {
        BerthServer server = berth.server();
        HttpResponse<String> loopback = send(HttpClient.newBuilder(),
                URI.create("http://127.0.0.1:" + server.httpPort() + "/q/health/live"));
        assertEquals(200, loopback.statusCode(), "plain HTTP on loopback: " + loopback.body());

        InetAddress own = nonLoopbackAddress().orElseGet(() -> {
            E2e.unavailable("this machine has no non-loopback IPv4 address to reach the server from");
            throw new AssertionError("unreachable");
        });
        String plainElsewhere = "http://" + own.getHostAddress() + ":" + server.httpPort();
        for (String path : List.of("/v2/", "/q/health/live", "/v2/e2e/tls/manifests/1")) {
            HttpResponse<String> refused = send(HttpClient.newBuilder(), URI.create(plainElsewhere + path));
            assertEquals(403, refused.statusCode(), path + ": " + refused.body());
            JsonNode error = OciLayout.parse(refused.body()).path("errors").path(0);
            assertEquals("DENIED", error.path("code").asText(), refused.body());
            assertTrue(error.path("message").asText().contains("use HTTPS on port " + server.httpsPort()),
                    "the refusal says where to go: " + refused.body());
        }
        // A push is refused before the upload starts: nothing reaches the registry API.
        HttpRequest upload = HttpRequest.newBuilder(URI.create(plainElsewhere + "/v2/e2e/tls-plain/blobs/uploads/"))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            assertEquals(403, client.send(upload, HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    @Test
    void plainHttpCanBeSwitchedOff() throws Exception {
        try (BerthServer httpsOnly = BerthServer.builder(berth.dir().resolve("data-https-only"))
                .tls(pki.serverCertificate(), pki.serverKey(), pki.caCertificate())
                .property("berth.tls.plain-http", "disabled")
                .start()) {
            // Ready means /q/health/ready answered over HTTPS (the fixture polls there when TLS is on).
            IOException closed = assertThrows(IOException.class, () -> send(HttpClient.newBuilder(),
                    URI.create("http://127.0.0.1:" + httpsOnly.httpPort() + "/q/health/live")));
            assertTrue(causes(closed, ConnectException.class), "the plain HTTP port is not open: " + closed);
            assertTrue(httpsOnly.log().contains("plain HTTP is off"), httpsOnly.logTail(20));
            BerthServer.Shutdown shutdown = httpsOnly.stop();
            assertFalse(shutdown.postgresLeftBehind(), "left PostgreSQL running: " + shutdown);
        }
    }

    private String credentials() {
        BerthServer server = berth.server();
        return server.adminUser() + ":" + server.adminPassword();
    }

    private static HttpResponse<String> send(HttpClient.Builder client, URI uri) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build();
        try (HttpClient built = client.version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .build()) {
            return built.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean causes(Throwable thrown, Class<? extends Throwable> type) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** Returns an IPv4 address of this machine that is not loopback (the server binds IPv4 for 0.0.0.0). */
    private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        return NetworkInterface.networkInterfaces()
                .filter(nic -> {
                    try {
                        return nic.isUp() && !nic.isLoopback();
                    } catch (SocketException e) {
                        return false;
                    }
                })
                .flatMap(NetworkInterface::inetAddresses)
                .filter(address -> address instanceof Inet4Address && !address.isLoopbackAddress()
                        && !address.isLinkLocalAddress())
                .findFirst();
    }

    private static List<String> strings(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    /**
     * A CA made for one test run and a server certificate it signed for {@code 127.0.0.1} (IP SAN) and
     * {@code localhost} (DNS SAN), valid for a day, written as PEM: {@code ca.crt}, {@code server.crt},
     * {@code server.key} (PKCS#8) and {@code certs.d/ca.crt}, a folder holding only the CA, as
     * {@code --cert-dir} and {@code /etc/containers/certs.d/<host:port>/} expect it.
     */
    private record TestPki(Path caCertificate, Path serverCertificate, Path serverKey, Path clientCertDir) {

        static TestPki issue(Path dir) {
            try {
                Files.createDirectories(dir.resolve("certs.d"));
                SecureRandom random = new SecureRandom();
                Instant now = Instant.now();
                Date notBefore = Date.from(now.minus(Duration.ofHours(1)));
                Date notAfter = Date.from(now.plus(Duration.ofDays(1)));
                JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();

                KeyPair caKeys = newKeyPair();
                X500Name caName = new X500Name("CN=Berth e2e test CA");
                X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, new BigInteger(64, random),
                        notBefore, notAfter, caName, caKeys.getPublic())
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                        .addExtension(Extension.subjectKeyIdentifier, false,
                                extensions.createSubjectKeyIdentifier(caKeys.getPublic()));
                X509Certificate caCertificate = sign(ca, caKeys);

                KeyPair serverKeys = newKeyPair();
                X509v3CertificateBuilder server = new JcaX509v3CertificateBuilder(caCertificate,
                        new BigInteger(64, random), notBefore, notAfter, new X500Name("CN=localhost"),
                        serverKeys.getPublic())
                        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                        .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                        .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                                new GeneralName(GeneralName.dNSName, "localhost")}))
                        .addExtension(Extension.subjectKeyIdentifier, false,
                                extensions.createSubjectKeyIdentifier(serverKeys.getPublic()))
                        .addExtension(Extension.authorityKeyIdentifier, false,
                                extensions.createAuthorityKeyIdentifier(caCertificate));
                X509Certificate serverCertificate = sign(server, caKeys);

                TestPki pki = new TestPki(dir.resolve("ca.crt"), dir.resolve("server.crt"), dir.resolve("server.key"),
                        dir.resolve("certs.d"));
                writePem(pki.caCertificate(), caCertificate);
                writePem(pki.clientCertDir().resolve("ca.crt"), caCertificate);
                writePem(pki.serverCertificate(), serverCertificate);
                writePem(pki.serverKey(), new JcaPKCS8Generator(serverKeys.getPrivate(), null));
                return pki;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the test certificates to " + dir, e);
            } catch (GeneralSecurityException | OperatorCreationException e) {
                throw new IllegalStateException("cannot issue the test certificates", e);
            }
        }

        private static KeyPair newKeyPair() throws GeneralSecurityException {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        }

        private static X509Certificate sign(X509v3CertificateBuilder certificate, KeyPair issuer)
                throws GeneralSecurityException, OperatorCreationException {
            return new JcaX509CertificateConverter().getCertificate(
                    certificate.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
        }

        private static void writePem(Path file, Object pemObject) throws IOException {
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
                    JcaPEMWriter pem = new JcaPEMWriter(out)) {
                pem.writeObject(pemObject);
            }
        }
    }
}
