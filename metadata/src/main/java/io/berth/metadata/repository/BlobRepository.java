package io.berth.metadata.repository;

import io.berth.metadata.entity.BlobEntity;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import javax.sql.DataSource;

/** Blobs and the links that let repositories serve them. */
@ApplicationScoped
public class BlobRepository implements PanacheRepositoryBase<BlobEntity, String> {

    private final DataSource dataSource;

    public BlobRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Refreshes the reference time of one blob and of its link into the named repository, now, and
     * returns whether the link still exists: a collector that had locked it first has deleted it, and
     * the caller must not tell the client the blob is there.
     */
    public boolean refreshLinked(String repositoryName, String digest) {
        List<?> refreshed = getEntityManager()
                .createNativeQuery("""
                        with link as (update repository_blob rb set last_referenced_at = now() from repository r
                                      where r.name = ?1 and rb.repository_id = r.id and rb.blob_digest = ?2
                                      returning rb.blob_digest)
                        update blob b set last_referenced_at = now() from link where b.digest = link.blob_digest
                        returning b.digest""")
                .setParameter(1, repositoryName)
                .setParameter(2, digest)
                .getResultList();
        return !refreshed.isEmpty();
    }

    /** A blob a repository may serve: its size, and the older of the link's and the blob's reference times. */
    public record LinkedBlob(long size, Instant referencedAt) {
    }

    /** Returns the blob if the named repository may serve it, with when it was last referenced. */
    public Optional<LinkedBlob> findLinked(String repositoryName, String digest) {
        return HotReads.first(dataSource, """
                        select b.size, least(rb.last_referenced_at, b.last_referenced_at) from repository r
                        join repository_blob rb on rb.repository_id = r.id
                        join blob b on b.digest = rb.blob_digest
                        where r.name = ? and rb.blob_digest = ?""",
                        statement -> {
                            statement.setString(1, repositoryName);
                            statement.setString(2, digest);
                        },
                        row -> new LinkedBlob(row.getLong(1), row.getTimestamp(2).toInstant()));
    }

    /** Returns the size of a blob anywhere in the registry, or empty if it is not stored. */
    public OptionalLong findSize(String digest) {
        List<?> sizes = getEntityManager()
                .createNativeQuery("select size from blob where digest = ?1")
                .setParameter(1, digest)
                .getResultList();
        return sizes.isEmpty() ? OptionalLong.empty() : OptionalLong.of(((Number) sizes.get(0)).longValue());
    }

    /**
     * Takes the digest's blob lock, shared, until the transaction ends. A commit takes it before it makes
     * bytes readable or finds them already stored, and records the blob in the same transaction; the
     * garbage collector holds the lock exclusively while it deletes an unreferenced blob's row and then
     * its bytes. So a commit never records bytes the collector is about to delete: it waits, finds them
     * gone, and stores its own.
     */
    public void holdAgainstCollection(String digest) {
        getEntityManager()
                .createNativeQuery("select 1 from (select pg_advisory_xact_lock_shared(?1, hashtext(?2))) as held")
                .setParameter(1, AdvisoryLocks.BLOB)
                .setParameter(2, digest)
                .getSingleResult();
    }

    /**
     * Refreshes the reference time of blobs and of their links in the named repositories (the pairs are
     * {@code repositories[i]}, {@code digests[i]}), skipping rows refreshed within {@code fresh}.
     */
    public void refreshReferences(List<String> repositories, List<String> digests, Duration fresh) {
        getEntityManager()
                .createNativeQuery("""
                        update repository_blob rb set last_referenced_at = now()
                        from repository r, unnest(cast(?1 as varchar[]), cast(?2 as varchar[])) as t(repository, digest)
                        where r.name = t.repository and rb.repository_id = r.id and rb.blob_digest = t.digest
                          and rb.last_referenced_at < now() - ?3 * interval '1 millisecond'""")
                .setParameter(1, repositories.toArray(String[]::new))
                .setParameter(2, digests.toArray(String[]::new))
                .setParameter(3, fresh.toMillis())
                .executeUpdate();
        getEntityManager()
                .createNativeQuery("""
                        update blob set last_referenced_at = now()
                        where digest = any(cast(?1 as varchar[])) and last_referenced_at < now() - ?2 * interval '1 millisecond'""")
                .setParameter(1, digests.stream().distinct().toArray(String[]::new))
                .setParameter(2, fresh.toMillis())
                .executeUpdate();
    }

    /** Records a stored blob and links it into a repository; refreshes both if they exist. */
    public void recordAndLink(long repositoryId, String digest, long size) {
        getEntityManager()
                .createNativeQuery("""
                        insert into blob (digest, size) values (?1, ?2)
                        on conflict (digest) do update set last_referenced_at = now()""")
                .setParameter(1, digest)
                .setParameter(2, size)
                .executeUpdate();
        link(repositoryId, digest);
    }

    /**
     * Links a blob the registry already holds into a repository (a cross-repository mount) and
     * returns its size, or empty if the registry does not hold it.
     */
    public OptionalLong linkExisting(long repositoryId, String digest) {
        List<?> sizes = getEntityManager()
                .createNativeQuery("update blob set last_referenced_at = now() where digest = ?1 returning size")
                .setParameter(1, digest)
                .getResultList();
        if (sizes.isEmpty()) {
            return OptionalLong.empty();
        }
        link(repositoryId, digest);
        return OptionalLong.of(((Number) sizes.get(0)).longValue());
    }

    private void link(long repositoryId, String digest) {
        getEntityManager()
                .createNativeQuery("""
                        insert into repository_blob (repository_id, blob_digest) values (?1, ?2)
                        on conflict (repository_id, blob_digest) do update set last_referenced_at = now()""")
                .setParameter(1, repositoryId)
                .setParameter(2, digest)
                .executeUpdate();
    }

    /**
     * Removes a repository's link to a blob, unless a manifest of that repository references the blob
     * (as its config or a layer); other repositories' links and manifests do not matter.
     *
     * <p>Race-safe with a manifest push, which locks the links of its blobs ({@link #findLinkedSizes})
     * before it records them: the link is locked here first, and only then are its referrers read, by a
     * statement of its own. Under PostgreSQL's READ COMMITTED each statement sees what committed before
     * it started, so either the push committed before the lock was granted and its manifest is seen
     * here, or the push waits for this transaction and then finds the link gone.
     */
    public Removal unlinkUnlessReferenced(long repositoryId, String digest) {
        List<?> locked = getEntityManager()
                .createNativeQuery("""
                        select 1 from repository_blob where repository_id = ?1 and blob_digest = ?2
                        for update""")
                .setParameter(1, repositoryId)
                .setParameter(2, digest)
                .getResultList();
        if (locked.isEmpty()) {
            return new Removal.Absent();
        }
        List<?> referrers = getEntityManager()
                .createNativeQuery("""
                        select m.digest, m.config_digest = ?2, count(*) over ()
                        from manifest_blob mb join manifest m on m.id = mb.manifest_id
                        where m.repository_id = ?1 and mb.blob_digest = ?2
                        order by m.digest
                        limit 1""")
                .setParameter(1, repositoryId)
                .setParameter(2, digest)
                .getResultList();
        if (!referrers.isEmpty()) {
            Object[] first = (Object[]) referrers.get(0);
            return new Removal.Refused(new ReferencingManifests((String) first[0],
                    Boolean.TRUE.equals(first[1]) ? ReferencingManifests.Use.CONFIG : ReferencingManifests.Use.LAYER,
                    ((Number) first[2]).longValue()));
        }
        getEntityManager()
                .createNativeQuery("delete from repository_blob where repository_id = ?1 and blob_digest = ?2")
                .setParameter(1, repositoryId)
                .setParameter(2, digest)
                .executeUpdate();
        return new Removal.Removed();
    }

    /**
     * Returns the sizes of those of {@code digests} that the repository may serve, by digest, and locks
     * their links until the transaction ends, so that none of them can be unlinked
     * ({@link #unlinkUnlessReferenced}) while the manifest that asked is being recorded. The lock is
     * PostgreSQL's weakest: pushes sharing blobs, and uploads refreshing a link, do not wait for it.
     */
    @SuppressWarnings("unchecked")
    public Map<String, Long> findLinkedSizes(long repositoryId, Collection<String> digests) {
        Map<String, Long> sizes = new HashMap<>();
        if (digests.isEmpty()) {
            return sizes;
        }
        List<Object[]> rows = getEntityManager()
                .createNativeQuery("""
                        select b.digest, b.size from repository_blob rb join blob b on b.digest = rb.blob_digest
                        where rb.repository_id = ?1 and rb.blob_digest = any(cast(?2 as varchar[]))
                        for key share of rb""")
                .setParameter(1, repositoryId)
                .setParameter(2, digests.toArray(String[]::new))
                .getResultList();
        rows.forEach(row -> sizes.put((String) row[0], ((Number) row[1]).longValue()));
        return sizes;
    }
}
