package io.berth.server.tls;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Turns {@code berth.tls.*} into the Quarkus settings that switch HTTPS on, only when a certificate is
 * configured:
 * <ul>
 *   <li>{@code quarkus.tls.berth.key-store.pem.server.cert} and {@code .key}: the PEM files, in the TLS registry;</li>
 *   <li>{@code quarkus.http.tls-configuration-name=berth}: the HTTP server uses that configuration;</li>
 *   <li>{@code quarkus.http.insecure-requests=disabled} when {@code berth.tls.plain-http=disabled}.</li>
 * </ul>
 *
 * <p>Why not {@code quarkus.tls.berth.key-store.pem.server.cert=${berth.tls.certificate-file:}} in
 * application.properties: the TLS registry refuses a key-store path that expands to the empty string
 * (SRCFG00040), so the server would not start without a certificate; and pointing the HTTP server at a TLS
 * configuration that does not exist fails too. The keys must be absent, not empty, when HTTPS is off.
 *
 * <p>The derived source sits below application.properties (ordinal {@value #ORDINAL}): a Quarkus key set
 * explicitly anywhere wins over what is derived here.
 */
public class TlsConfigSourceFactory implements ConfigSourceFactory {

    static final int ORDINAL = 200;
    static final String PEM_PREFIX = "quarkus.tls." + TlsConfig.TLS_CONFIGURATION_NAME + ".key-store.pem.server.";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        Optional<String> certificate = value(context, TlsConfig.CERTIFICATE_FILE);
        Optional<String> key = value(context, TlsConfig.KEY_FILE);
        boolean plainHttpDisabled = value(context, TlsConfig.PLAIN_HTTP)
                .map(policy -> policy.equalsIgnoreCase(TlsConfig.PlainHttp.DISABLED.name()))
                .orElse(false);
        if (certificate.isEmpty() && key.isEmpty()) {
            if (plainHttpDisabled) {
                throw new IllegalArgumentException(TlsConfig.PLAIN_HTTP + "=disabled needs "
                        + TlsConfig.CERTIFICATE_FILE + " and " + TlsConfig.KEY_FILE
                        + ": without a certificate there is no HTTPS, and Berth would serve nothing");
            }
            return List.of();
        }
        if (certificate.isEmpty() || key.isEmpty()) {
            throw new IllegalArgumentException("HTTPS needs both " + TlsConfig.CERTIFICATE_FILE + " and "
                    + TlsConfig.KEY_FILE + " (BERTH_TLS_CERTIFICATE_FILE, BERTH_TLS_KEY_FILE); only "
                    + (certificate.isPresent() ? TlsConfig.CERTIFICATE_FILE : TlsConfig.KEY_FILE) + " is set");
        }
        Map<String, String> derived = new LinkedHashMap<>();
        derived.put(PEM_PREFIX + "cert", certificate.get());
        derived.put(PEM_PREFIX + "key", key.get());
        derived.put("quarkus.http.tls-configuration-name", TlsConfig.TLS_CONFIGURATION_NAME);
        if (plainHttpDisabled) {
            derived.put("quarkus.http.insecure-requests", "disabled");
        }
        return List.of(new PropertiesConfigSource(derived, "Berth HTTPS, derived from berth.tls.*", ORDINAL));
    }

    /** Returns the setting's value; an empty one (BERTH_TLS_CERTIFICATE_FILE="") counts as unset, as in a mapping. */
    private static Optional<String> value(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return Optional.ofNullable(value).map(ConfigValue::getValue).map(String::strip).filter(v -> !v.isEmpty());
    }
}
