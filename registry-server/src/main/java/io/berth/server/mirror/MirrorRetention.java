package io.berth.server.mirror;

import io.berth.metadata.repository.PolicyScope;
import io.berth.server.service.RetentionService;
import io.berth.server.service.RetentionService.RetentionPolicy;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Expires cached content nobody pulls: at start, each mirror namespace gets the retention rule its
 * upstream's {@code keep} implies, so every garbage collection run removes cached tags not pulled for
 * that long, and cached manifests no tag or index keeps once they are that old; the blobs only they
 * held go in the same run's later phases. The rule is the configuration's: it is written again at
 * every start, so change {@code berth.mirror.upstreams.<id>.keep}, not the rule.
 */
@ApplicationScoped
public class MirrorRetention {

    private static final Logger LOG = Logger.getLogger(MirrorRetention.class);

    private final MirrorRoutes routes;
    private final RetentionService retention;

    public MirrorRetention(MirrorRoutes routes, RetentionService retention) {
        this.routes = routes;
        this.retention = retention;
    }

    void writeRules(@Observes StartupEvent started) {
        for (Upstream upstream : routes.upstreams()) {
            String keep = upstream.keep().toString();
            retention.replace(PolicyScope.NAMESPACE, upstream.namespace(),
                    new RetentionPolicy(null, List.of(), null, keep, keep),
                    "berth.mirror.upstreams." + upstream.id() + ".keep");
            LOG.debugf("Cached content of %s not pulled for %s expires (retention rule on namespace %s)", upstream.id(),
                    keep, upstream.namespace());
        }
    }
}
