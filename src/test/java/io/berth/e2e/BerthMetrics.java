package io.berth.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One reading of Berth's Prometheus metrics ({@code GET /q/metrics}, no login needed), to count what a client
 * really sent: {@link #since} gives the blob uploads, cross-repository mounts and blob bytes received between
 * two readings. Only this class's test may use the server meanwhile, or the counts include other traffic.
 *
 * <p>The series read are Berth's upload timer {@code berth_blob_upload_seconds_count} (one count per finished
 * upload, {@code kind="complete"}, and per mount, {@code kind="mount"}), the counter
 * {@code berth_blob_received_bytes_total}, and Quarkus' {@code http_server_requests_seconds_count} for
 * {@code POST /v2/<name>/blobs/uploads} answered {@code 201 Created} (a mount, or a monolithic upload).
 */
record BerthMetrics(Map<String, Double> series) {

    private static final String UPLOADS_URI = "uri=\"/v2/{name: .+}/blobs/uploads\"";

    /** Reads the server's metrics now. */
    static BerthMetrics scrape(BerthServer server) {
        HttpRequest request = HttpRequest.newBuilder(server.baseUri().resolve("/q/metrics"))
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build();
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<String> answer = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                throw new IllegalStateException("GET /q/metrics answered " + answer.statusCode() + ": " + answer.body());
            }
            Map<String, Double> series = new LinkedHashMap<>();
            answer.body().lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("#"))
                    .forEach(line -> {
                        int space = line.lastIndexOf(' ');
                        try {
                            series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
                        } catch (NumberFormatException | StringIndexOutOfBoundsException notASample) {
                            // a line that is no sample (none are expected) does not matter here
                        }
                    });
            return new BerthMetrics(Map.copyOf(series));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Returns the sum of the series called {@code name} whose labels include every one of {@code labels}, each
     * written {@code key="value"}.
     */
    double sum(String name, String... labels) {
        double total = 0;
        for (Map.Entry<String, Double> entry : series.entrySet()) {
            String key = entry.getKey();
            int brace = key.indexOf('{');
            String seriesName = brace < 0 ? key : key.substring(0, brace);
            if (!seriesName.equals(name)) {
                continue;
            }
            boolean all = true;
            for (String label : labels) {
                all &= key.contains(label);
            }
            if (all) {
                total += entry.getValue();
            }
        }
        return total;
    }

    /** Returns what happened between {@code before} and this reading. */
    Uploads since(BerthMetrics before) {
        return new Uploads(
                delta(before, "berth_blob_upload_seconds_count", "kind=\"complete\""),
                delta(before, "berth_blob_upload_seconds_count", "kind=\"mount\""),
                delta(before, "http_server_requests_seconds_count", "method=\"POST\"", "status=\"201\"", UPLOADS_URI),
                delta(before, "berth_blob_received_bytes_total"));
    }

    private long delta(BerthMetrics before, String name, String... labels) {
        return Math.round(sum(name, labels) - before.sum(name, labels));
    }

    /**
     * What clients sent between two readings.
     *
     * @param uploaded blob uploads that finished (the blob's bytes came over the wire)
     * @param mounted cross-repository mounts (the blob was linked from another repository, no bytes sent)
     * @param created {@code POST .../blobs/uploads} requests answered 201 (mounts and monolithic uploads)
     * @param receivedBytes blob bytes Berth received
     */
    record Uploads(long uploaded, long mounted, long created, long receivedBytes) {
    }
}
