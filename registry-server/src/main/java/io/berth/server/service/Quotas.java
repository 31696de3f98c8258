package io.berth.server.service;

import io.berth.auth.AccountException;
import io.berth.metadata.repository.PolicyScope;
import io.berth.metadata.repository.QuotaRepository;
import io.berth.metadata.repository.QuotaRepository.Usage;
import io.berth.server.domain.RepositoryName;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Namespace quotas in bytes of blobs, a blob shared by several repositories of the namespace counting
 * once. A blob that would take a namespace over its quota is refused when its upload completes or it is
 * mounted, and a manifest push into a namespace already over it is refused; with nothing stored.
 *
 * <p>Every commit and manifest push asks whether its namespace has a quota; the answer is kept for
 * {@link #REMEMBERED} (and dropped at once on this replica when an administrator changes it), so a
 * push into a namespace without one costs no query. Another replica sees a change that much later.
 */
@ApplicationScoped
public class Quotas {

    static final Duration REMEMBERED = Duration.ofSeconds(5);

    private final QuotaRepository quotas;
    private final Map<String, Known> known = new ConcurrentHashMap<>();

    /** A namespace's quota as last read. */
    private record Known(OptionalLong bytes, long readAtNanos) {
    }

    public Quotas(QuotaRepository quotas) {
        this.quotas = quotas;
    }

    private OptionalLong quotaOf(String namespace) {
        long now = System.nanoTime();
        Known cached = known.get(namespace);
        if (cached != null && now - cached.readAtNanos() < REMEMBERED.toNanos()) {
            return cached.bytes();
        }
        if (known.size() > 10_000) {
            known.clear();
        }
        OptionalLong bytes = quotas.quota(namespace);
        known.put(namespace, new Known(bytes, now));
        return bytes;
    }

    /** A namespace's quota (absent: unlimited) and what it uses. */
    public record NamespaceUsage(String namespace, Long quotaBytes, long usedBytes, long blobs) {
    }

    /** What a repository uses. */
    public record RepositoryUsage(String repository, long usedBytes, long blobs) {
    }

    /**
     * Throws DENIED if linking the blob into the repository would take its namespace over its quota.
     * Runs in the caller's transaction, and holds the namespace's quota lock until it ends.
     */
    public void requireRoomFor(RepositoryName repository, String digest, long size) {
        String namespace = repository.namespace();
        OptionalLong quota = quotaOf(namespace);
        if (quota.isEmpty()) {
            return;
        }
        quotas.lockNamespace(namespace);
        if (quotas.namespaceHolds(namespace, digest)) {
            return;
        }
        long used = quotas.namespaceUsage(namespace).bytes();
        if (used + size > quota.getAsLong()) {
            throw new RegistryException(OciErrorCode.DENIED, "the namespace " + namespace + " uses " + used + " of its "
                    + quota.getAsLong() + " bytes; this blob of " + size + " bytes would exceed the quota (delete images "
                    + "and let the garbage collector free them, or ask an administrator to raise it)");
        }
    }

    /** Throws DENIED if the repository's namespace is already over its quota. */
    public void requireWithinQuota(RepositoryName repository) {
        String namespace = repository.namespace();
        OptionalLong quota = quotaOf(namespace);
        if (quota.isPresent()) {
            long used = quotas.namespaceUsage(namespace).bytes();
            if (used > quota.getAsLong()) {
                throw new RegistryException(OciErrorCode.DENIED, "the namespace " + namespace + " uses " + used
                        + " bytes, over its quota of " + quota.getAsLong() + "; nothing more can be pushed to it");
            }
        }
    }

    public NamespaceUsage namespaceUsage(String name) {
        String namespace = PolicyNames.checked(PolicyScope.NAMESPACE, name);
        return QuarkusTransaction.requiringNew().call(() -> {
            Usage usage = quotas.namespaceUsage(namespace);
            OptionalLong quota = quotas.quota(namespace);
            return new NamespaceUsage(namespace, quota.isPresent() ? quota.getAsLong() : null, usage.bytes(), usage.blobs());
        });
    }

    public RepositoryUsage repositoryUsage(String name) {
        String repository = PolicyNames.checked(PolicyScope.REPOSITORY, name);
        Usage usage = QuarkusTransaction.requiringNew().call(() -> quotas.repositoryUsage(repository));
        return new RepositoryUsage(repository, usage.bytes(), usage.blobs());
    }

    public NamespaceUsage setQuota(String name, long bytes, String actor) {
        if (bytes < 0) {
            throw new AccountException(AccountException.Reason.INVALID, "a quota is 0 bytes or more");
        }
        String namespace = PolicyNames.checked(PolicyScope.NAMESPACE, name);
        QuarkusTransaction.requiringNew().run(() -> quotas.setQuota(namespace, bytes, actor));
        known.remove(namespace);
        return namespaceUsage(namespace);
    }

    public void removeQuota(String name) {
        String namespace = PolicyNames.checked(PolicyScope.NAMESPACE, name);
        boolean removed = QuarkusTransaction.requiringNew().call(() -> quotas.removeQuota(namespace));
        known.remove(namespace);
        if (!removed) {
            throw new AccountException(AccountException.Reason.NOT_FOUND, "the namespace " + namespace + " has no quota");
        }
    }
}
