package io.berth.server.auth;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.metadata.repository.UploadSessionRepository;
import io.berth.server.api.RegistryClient;
import io.berth.server.testing.FilesystemStorageProfile;
import io.berth.server.testing.TestAccounts;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What one client may hold of the server (issue 20): the freeze a probe caused with ~205 uploads
 * trickling a byte every 3 s, the sessions it piled up, and a stalled writer's lease. The limits are
 * set small here so that each is reached in seconds; the defaults are the same code with larger numbers.
 */
@QuarkusTest
@TestProfile(ClientLimitsTest.SmallLimits.class)
class ClientLimitsTest {

    private static final String RUN = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    private static final AtomicInteger NEXT = new AtomicInteger();

    /** The settings under test, small enough to reach quickly. */
    public static class SmallLimits extends FilesystemStorageProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("berth.transfer.upload.min-rate", "1K");
            overrides.put("berth.transfer.upload.rate-window", "5s");
            overrides.put("berth.transfer.upload.max-per-account", "4");
            overrides.put("berth.transfer.upload.max-per-address", "6");
            overrides.put("berth.registry.upload.lease", "2s");
            overrides.put("berth.registry.upload.max-sessions-per-account", "5");
            // Every test of this JVM shares the database and the loopback address.
            overrides.put("berth.registry.upload.max-sessions-per-address", "1000000");
            return overrides;
        }
    }

    @Inject
    UploadSessionRepository sessions;

    @Test
    void aTricklingBodyIsCutOffWithAClearErrorAndItsConnectionClosed() throws Exception {
        String user = user();
        String upload = startUpload(user);
        try (Socket socket = open()) {
            sendHead(socket, "PATCH", upload, user, 1000);
            long started = System.nanoTime();
            String answer = trickleUntilAnswered(socket, 1, Duration.ofMillis(300), Duration.ofSeconds(15));
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            assertTrue(answer.contains("BLOB_UPLOAD_INVALID") && answer.contains("berth.transfer.upload.min-rate"), answer);
            assertTrue(tookMillis < 9000, "cut off after " + tookMillis + " ms, the window is 5 s");
            assertTrue(closedByServer(socket), "the connection of a cut-off body is closed");
        }
        RegistryClient.anonymous().header("Authorization", basic(user)).get(upload).then()
                .statusCode(204).header("Range", equalTo("0-0"));
    }

    @Test
    void aBodyThatKeepsTheMinimumRateIsStoredWhole() throws Exception {
        String user = user();
        String upload = startUpload(user);
        try (Socket socket = open()) {
            // 300 bytes every 150 ms is 2 KB/s, twice the minimum, for over two windows.
            sendHead(socket, "PATCH", upload, user, 21_000);
            String answer = trickleUntilAnswered(socket, 300, Duration.ofMillis(150), Duration.ofSeconds(30));
            assertTrue(answer.startsWith("HTTP/1.1 202"), answer);
            assertTrue(answer.contains("Range: 0-20999"), answer);
        }
    }

    @Test
    void oneAccountMaySendOnlyItsShareOfBodiesAtOnce() throws Exception {
        String attacker = user();
        String other = user();
        List<Socket> held = new ArrayList<>();
        String refusedUpload;
        ExecutorService trickle = Executors.newVirtualThreadPerTaskExecutor();
        try {
            for (int i = 0; i < 4; i++) {
                Socket socket = open();
                held.add(socket);
                sendHead(socket, "PATCH", startUpload(attacker), attacker, 1_000_000);
                trickle.submit(() -> trickleUntilAnswered(socket, 1000, Duration.ofMillis(250), Duration.ofSeconds(30)));
            }
            // The tricklers' heads are out; give the server a moment to admit all four.
            Thread.sleep(500);
            refusedUpload = startUpload(attacker);
            RegistryClient.anonymous().header("Authorization", basic(attacker)).header("Content-Type", "application/octet-stream")
                    .body(new byte[10]).patch(refusedUpload).then()
                    .statusCode(429).header("Retry-After", "1")
                    .body("errors[0].code", equalTo("TOOMANYREQUESTS"))
                    .body("errors[0].message", containsString("berth.transfer.upload.max-per-account"));
            // Another account is not held back by the first one's bodies, until the address is full.
            RegistryClient.anonymous().header("Authorization", basic(other)).header("Content-Type", "application/octet-stream")
                    .body(new byte[10]).patch(startUpload(other)).then().statusCode(202);
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
            trickle.shutdownNow();
        }
        // Once its bodies end, the account sends again.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int status;
        do {
            Thread.sleep(100);
            status = patch(attacker, refusedUpload, 10).statusCode();
        } while (status == 429 && System.nanoTime() < deadline);
        assertEquals(202, status);
    }

    /**
     * The probe's attack, larger: 300 monolithic uploads from one account, each trickling a byte a
     * second. A client reading a manifest meanwhile must not notice it.
     */
    @Test
    void hundredsOfTricklingUploadsDoNotSlowAManifestGet() throws Exception {
        String attacker = user();
        // A client that has logged in once: its password is verified from the cache, as a pusher's is.
        RegistryClient.anonymous().header("Authorization", basic(attacker)).get("/v2/").then().statusCode(200);
        String repository = RegistryClient.repository("limits-manifest");
        RegistryClient.pushImage(repository, "v1");
        String manifest = RegistryClient.manifestPath(repository, "v1");
        ExecutorService attack = Executors.newVirtualThreadPerTaskExecutor();
        List<Future<String>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                answers.add(attack.submit(() -> {
                    try (Socket socket = open()) {
                        sendHead(socket, "POST", "/v2/" + attacker + "/app/blobs/uploads/?digest=sha256:"
                                + "0".repeat(64), attacker, 1000);
                        return trickleUntilAnswered(socket, 1, Duration.ofSeconds(1), Duration.ofSeconds(30));
                    }
                }));
            }
            long worstMillis = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            int gets = 0;
            while (System.nanoTime() < end) {
                long started = System.nanoTime();
                RegistryClient.request().accept("application/vnd.oci.image.manifest.v1+json").get(manifest)
                        .then().statusCode(200);
                worstMillis = Math.max(worstMillis, (System.nanoTime() - started) / 1_000_000);
                gets++;
                Thread.sleep(50);
            }
            // A frozen pool holds a GET until the window cuts the tricklers off (5 s); the bound leaves room
            // for a busy 2-core machine serving 300 connections at once.
            assertTrue(worstMillis < 2500, "the slowest of " + gets + " manifest GETs took " + worstMillis + " ms");
            int refused = 0;
            int cutOff = 0;
            for (Future<String> answer : answers) {
                String status = answer.get(40, TimeUnit.SECONDS).lines().findFirst().orElse("");
                if (status.startsWith("HTTP/1.1 429")) {
                    refused++;
                } else if (status.startsWith("HTTP/1.1 408")) {
                    cutOff++;
                }
            }
            assertEquals(300, refused + cutOff, "every trickling upload was refused or cut off");
            assertTrue(cutOff <= 4, cutOff + " were admitted; the account may send 4 at once");
        } finally {
            attack.shutdownNow();
        }
    }

    @Test
    void anAccountMayHoldOnlySoManyOpenSessions() {
        String user = user();
        List<String> uploads = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            uploads.add(startUpload(user));
        }
        RegistryClient.anonymous().header("Authorization", basic(user)).post("/v2/" + user + "/app/blobs/uploads/")
                .then().statusCode(429)
                .body("errors[0].code", equalTo("TOOMANYREQUESTS"))
                .body("errors[0].message", containsString("holds 5 open upload sessions"));
        RegistryClient.anonymous().header("Authorization", basic(user)).delete(uploads.get(0)).then().statusCode(204);
        startUpload(user);
    }

    @Test
    void theLeaseOfAWriterThatDiedIsFreeWithinSeconds() throws Exception {
        String user = user();
        String upload = startUpload(user);
        UUID id = UUID.fromString(upload.substring(upload.lastIndexOf('/') + 1));
        // Another replica takes the lease and dies: nobody renews it.
        assertTrue(sessions.acquireLease(user + "/app", id, UUID.randomUUID(), Duration.ofSeconds(2)).isPresent());
        patch(user, upload, 10).then().statusCode(416).body("errors[0].message", containsString("another request"));
        Thread.sleep(2500);
        patch(user, upload, 10).then().statusCode(202).header("Range", "0-9");
    }

    @Test
    void aWriterThatKeepsSendingKeepsItsLeasePastItsLength() throws Exception {
        String user = user();
        String upload = startUpload(user);
        try (Socket socket = open()) {
            // 6 s of a 2 s lease: renewed while the bytes flow.
            sendHead(socket, "PATCH", upload, user, 16_000);
            ExecutorService writer = Executors.newVirtualThreadPerTaskExecutor();
            Future<String> answer = writer.submit(() ->
                    trickleUntilAnswered(socket, 400, Duration.ofMillis(150), Duration.ofSeconds(30)));
            Thread.sleep(3500);
            patch(user, upload, 10).then().statusCode(416);
            String status = answer.get(30, TimeUnit.SECONDS);
            assertTrue(status.startsWith("HTTP/1.1 202") && status.contains("Range: 0-15999"), status);
            writer.shutdownNow();
        }
    }

    @Test
    void aLargeBodyForAnEndpointThatReadsItWholeIsRefusedUnread() throws Exception {
        // Only the head is sent: the answer must not wait for 2 GB that would have gone into the heap.
        for (String path : List.of("/token", "/api/v1/users", "/v2/")) {
            try (Socket socket = open()) {
                String head = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 2000000000\r\n\r\n";
                socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                String answer = trickleUntilAnswered(socket, 0, Duration.ofMillis(100), Duration.ofSeconds(5));
                assertTrue(answer.startsWith("HTTP/1.1 413") && answer.contains("berth.transfer.max-buffered-body"),
                        path + ": " + answer);
                assertTrue(closedByServer(socket), path + ": the unread body's connection is closed");
            }
        }
        try (Socket socket = open()) {
            String head = "POST /api/v1/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            String answer = trickleUntilAnswered(socket, 0, Duration.ofMillis(100), Duration.ofSeconds(5));
            assertTrue(answer.startsWith("HTTP/1.1 411") && answer.contains("Content-Length"), answer);
        }
        // A body within the bound is read as before.
        RegistryClient.anonymous().contentType("application/x-www-form-urlencoded")
                .body("grant_type=password&username=nobody&password=wrong").post("/token").then().statusCode(401);
    }

    private static io.restassured.response.Response patch(String user, String upload, int bytes) {
        return RegistryClient.anonymous().header("Authorization", basic(user))
                .header("Content-Type", "application/octet-stream").body(new byte[bytes]).patch(upload);
    }

    private static String user() {
        String name = "limits-" + RUN + "-" + NEXT.incrementAndGet();
        Accounts.user(name);
        return name;
    }

    private static String basic(String user) {
        return TestAccounts.basic(user, Accounts.PASSWORD);
    }

    /** Starts an upload in the user's own namespace and returns its location. */
    private static String startUpload(String user) {
        return RegistryClient.anonymous().header("Authorization", basic(user)).post("/v2/" + user + "/app/blobs/uploads/")
                .then().statusCode(202).extract().header("Location");
    }

    private static Socket open() throws IOException {
        Socket socket = new Socket("127.0.0.1", RestAssured.port);
        socket.setSoTimeout(100);
        return socket;
    }

    private static void sendHead(Socket socket, String method, String path, String user, int contentLength)
            throws IOException {
        String head = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + basic(user)
                + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + contentLength + "\r\n\r\n";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    /**
     * Sends {@code chunk} bytes every {@code pause} until the server answers (or the declared length is
     * sent and it answers then); returns the answer's head and body as text.
     */
    private static String trickleUntilAnswered(Socket socket, int chunk, Duration pause, Duration limit) throws IOException {
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        long deadline = System.nanoTime() + limit.toNanos();
        boolean writable = true;
        while (System.nanoTime() < deadline) {
            if (writable && chunk > 0) {
                try {
                    out.write(new byte[chunk]);
                    out.flush();
                } catch (IOException closed) {
                    writable = false;
                }
            }
            long until = System.nanoTime() + pause.toNanos();
            while (System.nanoTime() < until) {
                try {
                    int read = in.read(buffer);
                    if (read < 0) {
                        return answer.toString(StandardCharsets.UTF_8);
                    }
                    answer.write(buffer, 0, read);
                    String text = answer.toString(StandardCharsets.UTF_8);
                    if (complete(text)) {
                        return text;
                    }
                } catch (SocketTimeoutException nothingYet) {
                    // keep trickling
                }
            }
        }
        return answer.toString(StandardCharsets.UTF_8);
    }

    /** An answer whose head and declared body have arrived. */
    private static boolean complete(String text) {
        int headEnd = text.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            return false;
        }
        for (String line : text.substring(0, headEnd).split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                return text.length() - headEnd - 4 >= Integer.parseInt(line.substring(15).trim());
            }
        }
        return true;
    }

    private static boolean closedByServer(Socket socket) throws IOException {
        socket.setSoTimeout(3000);
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }
}
