package io.berth.server.testing;

import java.util.HashMap;
import java.util.Map;

/**
 * The default configuration behind a trusted proxy: the client's address is taken from
 * {@code X-Forwarded-For}, so a test can send requests from addresses of its own (the login throttle's
 * tests) while every other test client is 127.0.0.1.
 */
public class ForwardedAddressProfile extends FilesystemStorageProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>(super.getConfigOverrides());
        config.put("quarkus.http.proxy.proxy-address-forwarding", "true");
        config.put("quarkus.http.proxy.allow-x-forwarded", "true");
        return config;
    }
}
