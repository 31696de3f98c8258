package io.berth.server.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Two real upstream registries for the mirror tests, both CNCF distribution 2.8.2: {@code dist}, open to
 * anonymous pulls, behind a {@link FaultProxy}, mirrored under the namespace {@code dist} and the
 * default upstream; and {@code locked}, which requires HTTP Basic auth, mirrored under {@code locked}
 * with the credentials configured and no anonymous pulls. One pair per test JVM.
 */
public class UpstreamTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String LOCKED_USER = "mirror";
    public static final String LOCKED_PASSWORD = "upstream-secret-1";

    private static DistributionRegistry open;
    private static DistributionRegistry locked;
    private static FaultProxy proxy;

    /** The anonymous upstream, straight (to push into it). */
    public static DistributionRegistry open() {
        return open;
    }

    /** The upstream that requires Basic auth, straight. */
    public static DistributionRegistry locked() {
        return locked;
    }

    /** The proxy between Berth and the anonymous upstream. */
    public static FaultProxy proxy() {
        return proxy;
    }

    private static synchronized void startOnce() {
        if (open == null) {
            open = DistributionRegistry.start(Optional.empty());
            proxy = FaultProxy.start(open.port());
            byte[] salt = new byte[16];
            new SecureRandom().nextBytes(salt);
            String hash = OpenBSDBCrypt.generate("2a", LOCKED_PASSWORD.toCharArray(), salt, 6);
            locked = DistributionRegistry.start(Optional.of(LOCKED_USER + ":" + hash + "\n"));
        }
    }

    @Override
    public Map<String, String> start() {
        startOnce();
        Map<String, String> config = new HashMap<>();
        config.put("berth.mirror.upstreams.dist.url", proxy.url());
        config.put("berth.mirror.upstreams.dist.namespace", "dist");
        config.put("berth.mirror.upstreams.dist.default", "true");
        config.put("berth.mirror.upstreams.dist.anonymous-pull", "true");
        config.put("berth.mirror.upstreams.dist.tag-freshness", "1s");
        config.put("berth.mirror.upstreams.locked.url", locked.url());
        config.put("berth.mirror.upstreams.locked.namespace", "locked");
        config.put("berth.mirror.upstreams.locked.username", LOCKED_USER);
        config.put("berth.mirror.upstreams.locked.password", LOCKED_PASSWORD);
        config.put("berth.mirror.upstreams.locked.keep", "PT2S");
        config.put("berth.mirror.not-found-memory", "3s");
        config.put("berth.mirror.stall-timeout", "2s");
        config.put("berth.mirror.connect-timeout", "2s");
        config.put("berth.mirror.fetch-lease", "3s");
        config.put("berth.mirror.retry-after", "11s");
        return config;
    }

    @Override
    public void stop() {
        // shared by the profiles of this JVM; the processes end with it
    }
}
