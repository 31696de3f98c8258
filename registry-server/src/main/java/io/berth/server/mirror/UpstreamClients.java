package io.berth.server.mirror;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.http.HttpClient;
import java.util.Map;
import java.util.stream.Collectors;

/** One {@link UpstreamClient} per configured upstream, over one HTTP client. */
@ApplicationScoped
public class UpstreamClients {

    private final Map<String, UpstreamClient> clients;

    public UpstreamClients(MirrorRoutes routes, MirrorConfig config, ObjectMapper json) {
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER) // followed by hand, without credentials
                .build();
        this.clients = routes.upstreams().stream().collect(Collectors.toUnmodifiableMap(Upstream::id,
                upstream -> new UpstreamClient(upstream, http, json, config.connectTimeout())));
    }

    /** The client of an upstream. */
    public UpstreamClient of(Upstream upstream) {
        UpstreamClient client = clients.get(upstream.id());
        if (client == null) {
            throw new IllegalArgumentException("no upstream " + upstream.id());
        }
        return client;
    }
}
