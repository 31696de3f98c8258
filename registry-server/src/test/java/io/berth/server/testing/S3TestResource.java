package io.berth.server.testing;

import io.berth.testing.s3.S3ProxyServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A real S3 server for the S3 profiles: one s3proxy child process per test JVM (filesystem backend,
 * stopped when the JVM exits), with a key prefix of its own for every application start, so profiles
 * never see each other's blobs.
 *
 * <p>Arguments ({@code initArgs}): {@code redirect=true} turns on presigned download redirects;
 * {@code dedicated=true} starts a server of its own for this profile (for outage tests, which stop it).
 */
public class S3TestResource implements QuarkusTestResourceLifecycleManager {

    public static final String BUCKET = "berth-api-tests";

    private static S3ProxyServer shared;
    private static volatile S3ProxyServer dedicatedServer;

    private Map<String, String> args = Map.of();
    private S3ProxyServer own;

    private static synchronized S3ProxyServer shared() {
        if (shared == null) {
            shared = S3ProxyServer.start();
        }
        return shared;
    }

    /** Returns the server of the running profile that asked for a dedicated one (to stop it in a test). */
    public static S3ProxyServer dedicated() {
        return dedicatedServer;
    }

    @Override
    public void init(Map<String, String> initArgs) {
        this.args = initArgs;
    }

    @Override
    public Map<String, String> start() {
        S3ProxyServer server;
        if (Boolean.parseBoolean(args.get("dedicated"))) {
            own = S3ProxyServer.start();
            dedicatedServer = own;
            server = own;
        } else {
            server = shared();
        }
        Map<String, String> config = new HashMap<>();
        config.put("berth.storage.type", "s3");
        config.put("berth.storage.s3.endpoint", server.endpoint());
        config.put("berth.storage.s3.region", "us-east-1");
        config.put("berth.storage.s3.bucket", BUCKET);
        config.put("berth.storage.s3.path-style", "true");
        config.put("berth.storage.s3.access-key", S3ProxyServer.ACCESS_KEY);
        config.put("berth.storage.s3.secret-key", S3ProxyServer.SECRET_KEY);
        config.put("berth.storage.s3.prefix", "run-" + UUID.randomUUID() + "/");
        config.put("berth.storage.s3.redirect", args.getOrDefault("redirect", "false"));
        if (own != null) {
            // Fail fast once the test has stopped the server.
            config.put("berth.storage.s3.max-retries", "1");
            config.put("berth.storage.s3.connect-timeout", "2s");
            config.put("berth.storage.s3.timeout", "10s");
        }
        return config;
    }

    @Override
    public void stop() {
        if (own != null) {
            own.close();
            own = null;
            dedicatedServer = null;
        }
        // The shared server outlives each application start; its shutdown hook stops it with the JVM.
    }
}
