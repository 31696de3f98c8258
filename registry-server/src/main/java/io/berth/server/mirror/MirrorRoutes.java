package io.berth.server.mirror;

import io.berth.auth.PullThrough;
import io.berth.metadata.repository.RepositoryRepository;
import io.berth.server.domain.RepositoryName;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Decides which pulled names an upstream serves. A name under an upstream's namespace ({@code
 * hub/library/busybox}) is always that upstream's. A name outside every mirror namespace goes to the
 * default upstream, if one is configured, unless a local repository of that name exists: pushing to
 * {@code library/busybox} makes it local, and from then on it is served as pushed, never from the
 * upstream. Content of the default upstream is cached under its namespace ({@code hub/library/busybox}),
 * so both names share one cache.
 */
@ApplicationScoped
public class MirrorRoutes implements PullThrough {

    private static final Logger LOG = Logger.getLogger(MirrorRoutes.class);

    private final List<Upstream> upstreams;
    private final Optional<Upstream> defaultUpstream;
    private final RepositoryRepository repositories;

    public MirrorRoutes(MirrorConfig config, RepositoryRepository repositories) {
        this.repositories = repositories;
        this.upstreams = upstreamsOf(config);
        List<Upstream> defaults = upstreams.stream().filter(Upstream::isDefault).toList();
        if (defaults.size() > 1) {
            throw new IllegalArgumentException("berth.mirror: at most one upstream may be the default, but "
                    + defaults.stream().map(Upstream::id).toList() + " are");
        }
        this.defaultUpstream = defaults.stream().findFirst();
        upstreams.forEach(upstream -> LOG.infof("Mirroring %s as %s/%s", upstream.url(), upstream.namespace(),
                upstream.isDefault() ? " (the default upstream)" : ""));
    }

    private static List<Upstream> upstreamsOf(MirrorConfig config) {
        List<Upstream> upstreams = new ArrayList<>();
        for (Map.Entry<String, MirrorConfig.UpstreamConfig> entry : config.upstreams().entrySet()) {
            String id = entry.getKey();
            MirrorConfig.UpstreamConfig upstream = entry.getValue();
            String namespace = upstream.namespace();
            if (namespace.contains("/") || !isValidName(namespace)) {
                throw new IllegalArgumentException("berth.mirror.upstreams." + id + ".namespace '" + namespace
                        + "' is not one component of a repository name (lower-case letters, digits and separators)");
            }
            String scheme = upstream.url().getScheme();
            if (!"https".equals(scheme) && !"http".equals(scheme)) {
                throw new IllegalArgumentException("berth.mirror.upstreams." + id + ".url must be an http(s) URL, not "
                        + upstream.url());
            }
            if (upstream.username().isPresent() != upstream.password().isPresent()) {
                throw new IllegalArgumentException("berth.mirror.upstreams." + id
                        + ": set both username and password, or neither");
            }
            upstreams.add(new Upstream(id, upstream.url(), namespace, upstream.isDefault(),
                    upstream.username().map(user -> new Upstream.Credentials(user, upstream.password().orElseThrow())),
                    upstream.tagFreshness(), upstream.keep(), upstream.anonymousPull(), upstream.libraryPrefix()));
        }
        List<String> namespaces = upstreams.stream().map(Upstream::namespace).toList();
        if (namespaces.stream().distinct().count() < namespaces.size()) {
            throw new IllegalArgumentException("berth.mirror: two upstreams share a namespace: " + namespaces);
        }
        upstreams.sort(Comparator.comparing(Upstream::id));
        return List.copyOf(upstreams);
    }

    private static boolean isValidName(String value) {
        try {
            new RepositoryName(value);
            return true;
        } catch (RegistryException e) {
            return false;
        }
    }

    /** Every configured upstream, by id. */
    public List<Upstream> upstreams() {
        return upstreams;
    }

    /** The upstream with this id. */
    public Optional<Upstream> upstream(String id) {
        return upstreams.stream().filter(upstream -> upstream.id().equals(id)).findFirst();
    }

    /** Whether any upstream is configured. */
    public boolean enabled() {
        return !upstreams.isEmpty();
    }

    /** Where a pull of {@code name} goes when an upstream serves it; empty when it is a local repository. */
    public Optional<MirrorRoute> route(RepositoryName name) {
        if (upstreams.isEmpty()) {
            return Optional.empty();
        }
        Optional<Upstream> namespaced = byNamespace(name);
        if (namespaced.isPresent()) {
            Upstream upstream = namespaced.get();
            String remote = upstream.remoteName(name.value().substring(upstream.namespace().length() + 1));
            // hub/busybox and hub/library/busybox are one image upstream, so one cache here.
            return Optional.of(new MirrorRoute(upstream, remote, new RepositoryName(upstream.namespace() + "/" + remote)));
        }
        if (defaultUpstream.isEmpty() || name.value().indexOf('/') < 0 && isNamespace(name.value()) || existsLocally(name)) {
            return Optional.empty();
        }
        Upstream upstream = defaultUpstream.get();
        String remote = upstream.remoteName(name.value());
        return Optional.of(new MirrorRoute(upstream, remote, new RepositoryName(upstream.namespace() + "/" + remote)));
    }

    /**
     * Refuses a change (push, delete) to a repository of a mirror namespace: its content is the
     * upstream's, and what the upstream holds is what it serves.
     */
    public void requireWritable(RepositoryName name, String change) {
        Optional<Upstream> upstream = byNamespace(name);
        if (upstream.isPresent()) {
            throw new RegistryException(OciErrorCode.DENIED, name + " is in the namespace " + upstream.get().namespace()
                    + ", a read-only mirror of " + upstream.get().url() + ": it cannot be " + change
                    + "; push to another namespace");
        }
    }

    @Override
    public Audience audience(String repository) {
        if (upstreams.isEmpty()) {
            return Audience.NOT_MIRRORED;
        }
        RepositoryName name;
        try {
            name = new RepositoryName(repository);
        } catch (RegistryException e) {
            return Audience.NOT_MIRRORED;
        }
        return route(name).map(route -> route.upstream().anonymousPull() ? Audience.EVERYONE : Audience.USERS)
                .orElse(Audience.NOT_MIRRORED);
    }

    private Optional<Upstream> byNamespace(RepositoryName name) {
        String value = name.value();
        return upstreams.stream().filter(upstream -> value.startsWith(upstream.namespace() + "/")).findFirst();
    }

    private boolean isNamespace(String value) {
        return upstreams.stream().anyMatch(upstream -> upstream.namespace().equals(value));
    }

    private boolean existsLocally(RepositoryName name) {
        return QuarkusTransaction.joiningExisting().call(() -> repositories.findIdByName(name.value()).isPresent());
    }
}
