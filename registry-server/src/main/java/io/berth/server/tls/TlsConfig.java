package io.berth.server.tls;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/**
 * HTTPS: {@code berth.tls.*}, or {@code BERTH_TLS_*} in the environment.
 *
 * <p>With {@link #certificateFile()} and {@link #keyFile()} set, Berth serves HTTPS on {@link #port()} from
 * those files (through the Quarkus TLS registry, as {@code quarkus.tls.berth.*}: see
 * {@link TlsConfigSourceFactory}), and plain HTTP on {@code quarkus.http.port} only as {@link #plainHttp()}
 * allows. Without them, Berth serves plain HTTP on {@code quarkus.http.port} to everyone, as it always did.
 */
@ConfigMapping(prefix = "berth.tls")
public interface TlsConfig {

    String CERTIFICATE_FILE = "berth.tls.certificate-file";
    String KEY_FILE = "berth.tls.key-file";
    String PORT = "berth.tls.port";
    String PLAIN_HTTP = "berth.tls.plain-http";

    /** The name of the Quarkus TLS registry configuration Berth fills: {@code quarkus.tls.berth.*}. */
    String TLS_CONFIGURATION_NAME = "berth";

    /**
     * The server's certificate as a PEM file: its own certificate first, then any intermediates. Needs
     * {@link #keyFile()}.
     */
    Optional<Path> certificateFile();

    /** The certificate's private key as an unencrypted PEM file (PKCS#8, or PKCS#1 for RSA). */
    Optional<Path> keyFile();

    /** The HTTPS port ({@code quarkus.http.ssl-port} is derived from it). */
    @WithDefault("5443")
    int port();

    /** Who plain HTTP on {@code quarkus.http.port} still serves once HTTPS is on. */
    @WithDefault("loopback")
    PlainHttp plainHttp();

    /** Returns whether HTTPS is configured. */
    default boolean enabled() {
        return certificateFile().isPresent();
    }

    /** The plain-HTTP policy while HTTPS is on; without a certificate plain HTTP serves everyone. */
    enum PlainHttp {
        /**
         * The HTTP port stays open for clients on this machine (a local Docker daemon, which accepts plain HTTP
         * on loopback only; probes; scripts); requests from any other address are refused with 403 DENIED.
         */
        LOOPBACK,
        /** The HTTP port is not opened at all ({@code quarkus.http.insecure-requests=disabled}). */
        DISABLED
    }
}
