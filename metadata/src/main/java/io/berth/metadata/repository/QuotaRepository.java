package io.berth.metadata.repository;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.OptionalLong;

/** Namespace quotas, and what a namespace or a repository uses: the distinct blobs its links name. */
@ApplicationScoped
public class QuotaRepository {

    /** Bytes and blob count in use. */
    public record Usage(long bytes, long blobs) {
    }

    /** Repositories of a namespace: those whose name's first component it is. */
    private static final String IN_NAMESPACE = "split_part(r.name, '/', 1) = ?1";

    private static EntityManager em() {
        return Panache.getEntityManager();
    }

    public OptionalLong quota(String namespace) {
        List<?> rows = em().createNativeQuery("select bytes from namespace_quota where namespace = ?1")
                .setParameter(1, namespace)
                .getResultList();
        return rows.isEmpty() ? OptionalLong.empty() : OptionalLong.of(((Number) rows.get(0)).longValue());
    }

    public void setQuota(String namespace, long bytes, String actor) {
        em().createNativeQuery("""
                        insert into namespace_quota (namespace, bytes, updated_by) values (?1, ?2, ?3)
                        on conflict (namespace) do update set bytes = excluded.bytes, updated_by = excluded.updated_by,
                            updated_at = now()""")
                .setParameter(1, namespace)
                .setParameter(2, bytes)
                .setParameter(3, actor)
                .executeUpdate();
    }

    public boolean removeQuota(String namespace) {
        return em().createNativeQuery("delete from namespace_quota where namespace = ?1")
                .setParameter(1, namespace)
                .executeUpdate() > 0;
    }

    /**
     * Serializes the quota decisions of one namespace until the transaction ends, so that two commits
     * cannot both fit under the quota that only one of them fits under.
     */
    public void lockNamespace(String namespace) {
        em().createNativeQuery("select 1 from (select pg_advisory_xact_lock(?1, hashtext(?2))) as held")
                .setParameter(1, AdvisoryLocks.QUOTA)
                .setParameter(2, namespace)
                .getSingleResult();
    }

    public Usage namespaceUsage(String namespace) {
        return usage("""
                select coalesce(sum(b.size), 0), count(*) from blob b where b.digest in (
                    select rb.blob_digest from repository_blob rb join repository r on r.id = rb.repository_id
                    where""" + " " + IN_NAMESPACE + ")", namespace);
    }

    public Usage repositoryUsage(String repository) {
        return usage("""
                select coalesce(sum(b.size), 0), count(*) from blob b where b.digest in (
                    select rb.blob_digest from repository_blob rb join repository r on r.id = rb.repository_id
                    where r.name = ?1)""", repository);
    }

    /** Whether some repository of the namespace already links the blob (so linking it again costs nothing). */
    public boolean namespaceHolds(String namespace, String digest) {
        return !em().createNativeQuery("select 1 from repository_blob rb join repository r on r.id = rb.repository_id where "
                        + IN_NAMESPACE + " and rb.blob_digest = ?2 limit 1")
                .setParameter(1, namespace)
                .setParameter(2, digest)
                .getResultList().isEmpty();
    }

    private static Usage usage(String sql, String name) {
        Object[] row = (Object[]) em().createNativeQuery(sql).setParameter(1, name).getSingleResult();
        return new Usage(((Number) row[0]).longValue(), ((Number) row[1]).longValue());
    }
}
