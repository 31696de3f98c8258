package io.berth.server.transfer;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * How bytes move between clients, Berth and object storage: {@code berth.transfer.*}, or
 * {@code BERTH_TRANSFER_*} in the environment. The defaults are the values Berth was measured with
 * (docs/benchmarks.md); most deployments never change them.
 */
@ConfigMapping(prefix = "berth.transfer")
public interface TransferConfig {

    /** How upload bodies are read: {@code berth.transfer.upload.*}. */
    Upload upload();

    /**
     * The largest body an endpoint that reads its body whole may be sent (the token endpoint's form, the
     * admin API's JSON); blob uploads and manifests stream theirs and have limits of their own.
     */
    @WithDefault("1M")
    MemorySize maxBufferedBody();

    /** How blobs are fetched from S3 for clients: {@code berth.transfer.s3-download.*}. */
    S3Download s3Download();

    /** {@code berth.transfer.upload.*}. */
    interface Upload {

        /**
         * How much of a request body may wait in memory for the thread that stores it before the
         * socket stops being read. Per upload request; it bounds memory, not speed, as long as it is
         * several network reads large.
         */
        @WithDefault("16M")
        MemorySize bufferHigh();

        /** How far the waiting bytes must drain before the socket is read again. */
        @WithDefault("4M")
        MemorySize bufferLow();

        /**
         * The slowest a client may send a body while Berth waits for it, in bytes per second, judged over
         * each {@link #rateWindow()}. A slower body (a stalled client, or one trickling bytes to hold the
         * request open) is cut off with {@code 408} and its connection closed. Time Berth itself spends
         * storing, with the socket paused, does not count against the client.
         */
        @WithDefault("1K")
        MemorySize minRate();

        /** The span over which {@link #minRate()} is judged; also how long a body may pause altogether. */
        @WithDefault("20s")
        Duration rateWindow();

        /**
         * How many request bodies (blob chunks, monolithic blobs, manifests) one account may send at
         * once, on each replica; more are refused with {@code 429 TOOMANYREQUESTS} until one ends.
         */
        @WithDefault("32")
        int maxPerAccount();

        /** The same bound per client address, whatever the accounts behind it. */
        @WithDefault("128")
        int maxPerAddress();
    }

    /** {@code berth.transfer.s3-download.*}. */
    interface S3Download {

        /** Pooled connections to the object store, for downloads of blobs below {@link #directFrom()}. */
        @WithDefault("256")
        int maxConnections();

        /**
         * The blob size from which a download gets a connection of its own whose buffers go to the
         * client without a copy; below it, a pooled connection costs less than a new one.
         */
        @WithDefault("1M")
        MemorySize directFrom();
    }
}
