package io.berth.server.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.server.domain.MediaTypes;
import io.berth.storage.Digest;
import io.berth.storage.InvalidDigestException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Talks to one upstream registry: manifests by tag or digest, blobs as streams. It signs in the way
 * the upstream's challenge asks: Basic with the configured credentials, or the token flow of the
 * distribution spec (Docker Hub's {@code auth.docker.io}, GHCR's), whose tokens it keeps per scope
 * until they expire. Redirects (Docker Hub sends blobs to a CDN) are followed without the upstream's
 * credentials, which a presigned URL refuses.
 */
public class UpstreamClient {

    /** Every manifest type Berth stores, so the upstream answers with what it holds, not a conversion. */
    static final String MANIFEST_ACCEPT = String.join(", ", MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST,
            MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST);

    private static final int MAX_REDIRECTS = 5;
    /** A token without {@code expires_in} is valid for 60 s, the distribution spec's default. */
    private static final Duration DEFAULT_TOKEN_LIFE = Duration.ofSeconds(60);

    private final Upstream upstream;
    private final HttpClient http;
    private final ObjectMapper json;
    private final Duration answerTimeout;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private volatile boolean basicAsked;

    private record Token(String value, Instant expiresAt) {
    }

    UpstreamClient(Upstream upstream, HttpClient http, ObjectMapper json, Duration answerTimeout) {
        this.upstream = upstream;
        this.http = http;
        this.json = json;
        this.answerTimeout = answerTimeout;
    }

    /** A manifest as the upstream sent it. */
    public record Manifest(String mediaType, byte[] content, Optional<Digest> declaredDigest) {
    }

    /** An upstream blob's body: read it, then close it. */
    public record Blob(InputStream body, OptionalLong length) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /** The digest the upstream's tag (or digest) points at now, if the upstream names it in its answer. */
    public Optional<Digest> headManifest(String remote, String reference) {
        HttpResponse<InputStream> response = send("HEAD", manifestPath(remote, reference), remote, MANIFEST_ACCEPT);
        close(response);
        return digestHeader(response);
    }

    /** Fetches a manifest; at most {@code maxSize} bytes are read. */
    public Manifest getManifest(String remote, String reference, long maxSize) {
        HttpResponse<InputStream> response = send("GET", manifestPath(remote, reference), remote, MANIFEST_ACCEPT);
        try (InputStream body = response.body()) {
            byte[] content = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxSize + 1));
            if (content.length > maxSize) {
                throw new UpstreamException(describe(remote) + " manifest " + reference + " is larger than "
                        + maxSize + " bytes", null);
            }
            String mediaType = MediaTypes.essence(response.headers().firstValue("Content-Type").orElse(""));
            return new Manifest(mediaType, content, digestHeader(response));
        } catch (IOException e) {
            throw new UpstreamException(describe(remote) + " manifest " + reference + " broke off: " + e.getMessage(), e);
        }
    }

    /** The size of a blob the upstream holds. */
    public OptionalLong headBlob(String remote, Digest digest) {
        HttpResponse<InputStream> response = send("HEAD", "/v2/" + remote + "/blobs/" + digest, remote, null);
        close(response);
        return response.headers().firstValueAsLong("Content-Length");
    }

    /** Opens a blob's body from the upstream. */
    public Blob getBlob(String remote, Digest digest) {
        HttpResponse<InputStream> response = send("GET", "/v2/" + remote + "/blobs/" + digest, remote, null);
        OptionalLong length = response.headers().firstValueAsLong("Content-Length");
        return new Blob(response.body(), length);
    }

    private static String manifestPath(String remote, String reference) {
        return "/v2/" + remote + "/manifests/" + reference;
    }

    /**
     * Sends a request, signing in when the upstream challenges, and following redirects; returns a 2xx
     * answer or throws: UpstreamNotFoundException for 404 (and 401/403 after signing in), and
     * UpstreamException for everything else that fails.
     */
    private HttpResponse<InputStream> send(String method, String path, String remote, String accept) {
        String scope = "repository:" + remote + ":pull";
        URI uri = upstream.url().resolve(path);
        HttpResponse<InputStream> response = exchange(method, uri, accept, authorization(scope));
        if (response.statusCode() == 401) {
            Optional<AuthChallenge> challenge = AuthChallenge.parse(response.headers().firstValue("WWW-Authenticate").orElse(null));
            close(response);
            Optional<String> signedIn = challenge.flatMap(c -> signIn(c, scope));
            if (signedIn.isPresent()) {
                response = exchange(method, uri, accept, signedIn);
            }
        }
        for (int redirects = 0; isRedirect(response.statusCode()) && redirects < MAX_REDIRECTS; redirects++) {
            Optional<String> location = response.headers().firstValue("Location");
            close(response);
            if (location.isEmpty()) {
                throw new UpstreamException(describe(remote) + " redirected " + method + " " + path + " nowhere", null);
            }
            uri = uri.resolve(location.get());
            // A redirect leaves the upstream (a CDN, a presigned URL): its credentials stay behind.
            response = exchange(method, uri, accept, Optional.empty());
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return response;
        }
        close(response);
        String what = describe(remote) + " answered " + status + " to " + method + " " + path;
        if (status == 404 || status == 401 || status == 403) {
            throw new UpstreamNotFoundException(what);
        }
        Optional<Duration> retryAfter = response.headers().firstValueAsLong("Retry-After").stream()
                .mapToObj(Duration::ofSeconds).findFirst();
        throw new UpstreamException(what, retryAfter, null);
    }

    private HttpResponse<InputStream> exchange(String method, URI uri, String accept, Optional<String> authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(answerTimeout)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .header("User-Agent", "Berth pull-through cache");
        if (accept != null) {
            request.header("Accept", accept);
        }
        authorization.ifPresent(value -> request.header("Authorization", value));
        try {
            return http.send(request.build(), answer -> new ReadAheadBody());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException("interrupted while asking " + uri.getHost(), new InterruptedIOException());
        } catch (IOException e) {
            throw new UpstreamException(upstream.id() + " (" + upstream.url() + ") cannot be reached: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
    }

    /** What to send before any challenge: a token of the scope still valid, or Basic once the upstream asked for it. */
    private Optional<String> authorization(String scope) {
        Token token = tokens.get(scope);
        if (token != null && token.expiresAt().isAfter(Instant.now())) {
            return Optional.of("Bearer " + token.value());
        }
        return basicAsked ? upstream.credentials().map(UpstreamClient::basic) : Optional.empty();
    }

    private Optional<String> signIn(AuthChallenge challenge, String scope) {
        return switch (challenge.scheme()) {
            case "basic" -> {
                basicAsked = true;
                yield upstream.credentials().map(UpstreamClient::basic);
            }
            case "bearer" -> challenge.parameter("realm").map(realm -> "Bearer " + fetchToken(challenge, realm, scope));
            default -> Optional.empty();
        };
    }

    private String fetchToken(AuthChallenge challenge, String realm, String scope) {
        StringBuilder query = new StringBuilder();
        challenge.parameter("service").ifPresent(service -> query.append("service=").append(encode(service)));
        String asked = challenge.parameter("scope").orElse(scope);
        query.append(query.isEmpty() ? "" : "&").append("scope=").append(encode(asked));
        URI uri = URI.create(realm + (realm.contains("?") ? "&" : "?") + query);
        HttpResponse<InputStream> response = exchange("GET", uri, "application/json",
                upstream.credentials().map(UpstreamClient::basic));
        try (InputStream body = response.body()) {
            byte[] content = body.readNBytes(1 << 20);
            if (response.statusCode() == 401 || response.statusCode() == 403) {
                throw new UpstreamNotFoundException(describe(scope) + ": its token service " + uri.getHost()
                        + " refused " + (upstream.credentials().isPresent() ? "the configured credentials" : "an anonymous pull"));
            }
            if (response.statusCode() != 200) {
                throw new UpstreamException("the token service " + uri.getHost() + " of " + upstream.id() + " answered "
                        + response.statusCode(), null);
            }
            JsonNode answer = json.readTree(content);
            String token = answer.path("token").asText(answer.path("access_token").asText(""));
            if (token.isEmpty()) {
                throw new UpstreamException("the token service " + uri.getHost() + " of " + upstream.id() + " sent no token", null);
            }
            long seconds = answer.path("expires_in").asLong(DEFAULT_TOKEN_LIFE.toSeconds());
            // Renewed a little early, so a token never expires between the check and the request.
            Instant expiresAt = Instant.now().plusSeconds(Math.max(1, seconds - 10));
            tokens.put(asked, new Token(token, expiresAt));
            if (!asked.equals(scope)) {
                tokens.put(scope, new Token(token, expiresAt));
            }
            return token;
        } catch (IOException e) {
            throw new UpstreamException("the token service " + uri.getHost() + " of " + upstream.id() + " failed: "
                    + e.getMessage(), e);
        }
    }

    private Optional<Digest> digestHeader(HttpResponse<?> response) {
        return response.headers().firstValue("Docker-Content-Digest").flatMap(value -> {
            try {
                return Optional.of(Digest.parse(value));
            } catch (InvalidDigestException e) {
                return Optional.empty();
            }
        });
    }

    private String describe(String remote) {
        return "upstream " + upstream.id() + " (" + upstream.url() + ") " + remote;
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static String basic(Upstream.Credentials credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(
                (credentials.username() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static void close(HttpResponse<InputStream> response) {
        try {
            response.body().close();
        } catch (IOException ignored) {
            // the answer was read already; a failing close changes nothing
        }
    }
}
