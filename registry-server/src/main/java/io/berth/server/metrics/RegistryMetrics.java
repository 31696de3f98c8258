package io.berth.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * Counts what moves through the registry. Exposed at {@code /q/metrics} as
 * {@code berth_blob_received_bytes_total}, {@code berth_blob_sent_bytes_total},
 * {@code berth_manifest_received_bytes_total}, {@code berth_manifest_sent_bytes_total} and
 * {@code berth_blob_upload_seconds} (by kind: monolithic, chunk, complete, mount).
 */
@ApplicationScoped
public class RegistryMetrics {

    /** The kinds of upload request whose duration is recorded. */
    public enum UploadKind {
        MONOLITHIC, CHUNK, COMPLETE, MOUNT
    }

    private final Counter blobBytesReceived;
    private final Counter blobBytesSent;
    private final Counter manifestBytesReceived;
    private final Counter manifestBytesSent;
    private final MeterRegistry registry;

    public RegistryMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.blobBytesReceived = Counter.builder("berth.blob.received").baseUnit("bytes")
                .description("Blob bytes received in uploads").register(registry);
        this.blobBytesSent = Counter.builder("berth.blob.sent").baseUnit("bytes")
                .description("Blob bytes served to clients").register(registry);
        this.manifestBytesReceived = Counter.builder("berth.manifest.received").baseUnit("bytes")
                .description("Manifest bytes received in pushes").register(registry);
        this.manifestBytesSent = Counter.builder("berth.manifest.sent").baseUnit("bytes")
                .description("Manifest bytes served to clients").register(registry);
    }

    public void blobBytesReceived(long bytes) {
        blobBytesReceived.increment(bytes);
    }

    public void blobBytesSent(long bytes) {
        blobBytesSent.increment(bytes);
    }

    public void manifestBytesReceived(long bytes) {
        manifestBytesReceived.increment(bytes);
    }

    public void manifestBytesSent(long bytes) {
        manifestBytesSent.increment(bytes);
    }

    /** Records how long an upload request took. */
    public void uploadTook(UploadKind kind, Duration duration) {
        Timer.builder("berth.blob.upload")
                .description("Duration of blob upload requests")
                .tag("kind", kind.name().toLowerCase())
                .register(registry)
                .record(duration);
    }
}
