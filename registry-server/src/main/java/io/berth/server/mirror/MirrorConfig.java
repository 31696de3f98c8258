package io.berth.server.mirror;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The pull-through cache: {@code berth.mirror.*}, or {@code BERTH_MIRROR_*} in the environment. Each
 * upstream registry is mirrored under a namespace of its own, such as
 * {@code berth.mirror.upstreams.hub.url=https://registry-1.docker.io} with
 * {@code berth.mirror.upstreams.hub.namespace=hub}.
 */
@ConfigMapping(prefix = "berth.mirror")
public interface MirrorConfig {

    /** The upstreams by id ({@code berth.mirror.upstreams.<id>.*}). */
    Map<String, UpstreamConfig> upstreams();

    /** How long an upstream's "not found" is remembered, so that a typo does not send a request each time. */
    @WithDefault("30s")
    Duration notFoundMemory();

    /** The {@code Retry-After} of a 503 answered for content that is not cached while its upstream fails. */
    @WithDefault("30s")
    Duration retryAfter();

    /** How long Berth waits to connect to an upstream, and then for its answer's headers. */
    @WithDefault("10s")
    Duration connectTimeout();

    /** How long a fetch may go without a byte from the upstream before it is given up. */
    @WithDefault("30s")
    Duration stallTimeout();

    /**
     * How long a replica's claim on a fetch lasts without renewal; the fetching replica renews it every
     * third of this, so the fetches of a replica that died are taken over within this time.
     */
    @WithDefault("15s")
    Duration fetchLease();

    /** The longest a pull waits for another replica's fetch of the same content before it is answered 503. */
    @WithDefault("10m")
    Duration fetchWait();

    /**
     * Where the bytes of blobs being fetched are spooled so that every pull on this replica can read
     * them while they arrive; the system's temporary directory by default.
     */
    Optional<String> spoolDirectory();

    /** {@code berth.mirror.upstreams.<id>.*}. */
    interface UpstreamConfig {

        /** The upstream registry, such as {@code https://registry-1.docker.io}. */
        URI url();

        /** The namespace its repositories appear under here: {@code hub} serves {@code hub/library/busybox}. */
        String namespace();

        /**
         * Whether this upstream also serves names outside every namespace of this registry, as Docker's
         * {@code registry-mirrors} and containerd's {@code hosts.toml} send them ({@code library/busybox}).
         * At most one upstream is the default.
         */
        @WithName("default")
        @WithDefault("false")
        boolean isDefault();

        /** The account Berth signs in to the upstream as; with neither this nor a password, it pulls anonymously. */
        Optional<String> username();

        /** The password or access token of {@link #username()}. */
        Optional<String> password();

        /** How long a cached tag is served without asking the upstream whether it moved. */
        @WithDefault("5m")
        Duration tagFreshness();

        /** How long cached content nobody pulled is kept before the garbage collector may take it. */
        @WithDefault("P7D")
        Duration keep();

        /** Whether clients that did not sign in may pull through this upstream. */
        @WithDefault("false")
        boolean anonymousPull();

        /** Whether a name of one component is Docker Hub's official image: {@code busybox} is {@code library/busybox}. */
        @WithDefault("true")
        boolean libraryPrefix();
    }
}
