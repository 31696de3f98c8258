package io.berth.storage.s3;

import io.berth.storage.StorageConfig;
import java.time.Duration;
import java.util.Optional;

/**
 * The settings of an {@link S3BlobStore}, as plain values: built from {@code berth.storage.s3.*} in the
 * application, or directly by tests.
 *
 * @param endpoint the service URL; null for AWS S3 in {@code region}
 * @param region the bucket's region
 * @param bucket the bucket
 * @param pathStyle true for path-style addressing, false for virtual-host style, null to let the client decide
 * @param accessKey the access key, or null to take credentials from the AWS environment
 * @param secretKey the secret key, or null
 * @param prefix a key prefix ending in {@code /}, or the empty string
 * @param redirect whether downloads are redirected to presigned URLs
 * @param redirectExpiry how long a presigned URL stays valid
 * @param connectTimeout how long to wait for a connection
 * @param timeout how long a read or write may stall
 * @param maxRetries how often a temporary failure is retried
 * @param partSize the size of upload parts, at least {@link S3BlobStore#MIN_PART}
 * @param multipartCopyThreshold objects larger than this are copied with UploadPartCopy rather than
 *     CopyObject (S3 copies at most 5 GiB in one request); tests lower it
 */
public record S3Settings(String endpoint, String region, String bucket, Boolean pathStyle, String accessKey,
        String secretKey, String prefix, boolean redirect, Duration redirectExpiry, Duration connectTimeout,
        Duration timeout, int maxRetries, int partSize, long multipartCopyThreshold) {

    public S3Settings {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("berth.storage.s3.bucket (BERTH_STORAGE_S3_BUCKET) must name the bucket");
        }
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException(
                    "set both berth.storage.s3.access-key and berth.storage.s3.secret-key, or neither");
        }
        if (partSize < S3BlobStore.MIN_PART) {
            throw new IllegalArgumentException("berth.storage.s3.part-size must be at least 5M, S3's smallest part");
        }
        if (multipartCopyThreshold > S3BlobStore.MAX_COPY) {
            throw new IllegalArgumentException("S3 copies at most 5 GiB in one request");
        }
        prefix = prefix == null || prefix.isEmpty() || prefix.endsWith("/") ? (prefix == null ? "" : prefix) : prefix + "/";
        if (prefix.startsWith("/")) {
            throw new IllegalArgumentException("berth.storage.s3.prefix must not start with '/'");
        }
    }

    /** Returns the settings {@code berth.storage.s3.*} describes. */
    public static S3Settings from(StorageConfig.S3 s3) {
        long partSize = s3.partSize().asLongValue();
        if (partSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("berth.storage.s3.part-size must be below 2G");
        }
        return new S3Settings(s3.endpoint().orElse(null), s3.region(),
                s3.bucket().orElseThrow(() -> new IllegalArgumentException(
                        "berth.storage.type=s3 needs berth.storage.s3.bucket (BERTH_STORAGE_S3_BUCKET)")),
                s3.pathStyle().orElse(null), s3.accessKey().orElse(null), s3.secretKey().orElse(null),
                s3.prefix().orElse(""), s3.redirect(), s3.redirectExpiry(), s3.connectTimeout(), s3.timeout(),
                s3.maxRetries(), (int) partSize, S3BlobStore.MAX_COPY);
    }

    /** Returns settings for a local S3-compatible server with static credentials and the defaults otherwise. */
    public static S3Settings local(String endpoint, String bucket, String accessKey, String secretKey) {
        return new S3Settings(endpoint, "us-east-1", bucket, true, accessKey, secretKey, "", false,
                Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofMinutes(2), 5, 16 << 20, S3BlobStore.MAX_COPY);
    }

    /** Returns these settings with another key prefix. */
    public S3Settings withPrefix(String newPrefix) {
        return new S3Settings(endpoint, region, bucket, pathStyle, accessKey, secretKey, newPrefix, redirect,
                redirectExpiry, connectTimeout, timeout, maxRetries, partSize, multipartCopyThreshold);
    }

    /** Returns these settings with another part size and multipart-copy threshold. */
    public S3Settings withParts(int newPartSize, long newMultipartCopyThreshold) {
        return new S3Settings(endpoint, region, bucket, pathStyle, accessKey, secretKey, prefix, redirect,
                redirectExpiry, connectTimeout, timeout, maxRetries, newPartSize, newMultipartCopyThreshold);
    }

    /** Returns these settings with download redirects on or off. */
    public S3Settings withRedirect(boolean newRedirect) {
        return new S3Settings(endpoint, region, bucket, pathStyle, accessKey, secretKey, prefix, newRedirect,
                redirectExpiry, connectTimeout, timeout, maxRetries, partSize, multipartCopyThreshold);
    }

    /** Returns the endpoint to connect to: the configured one, or AWS S3's for the region. */
    String effectiveEndpoint() {
        return Optional.ofNullable(endpoint).orElse("https://s3." + region + ".amazonaws.com");
    }
}
