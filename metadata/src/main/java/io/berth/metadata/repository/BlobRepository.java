package io.berth.metadata.repository;

import io.berth.metadata.entity.BlobEntity;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import javax.sql.DataSource;

/** Blobs and the links that let repositories serve them. */
@ApplicationScoped
public class BlobRepository implements PanacheRepositoryBase<BlobEntity, String> {

    private final DataSource dataSource;

    public BlobRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Returns the size of a blob the named repository may serve, or empty if it may not. */
    public OptionalLong findLinkedSize(String repositoryName, String digest) {
        return HotReads.first(dataSource, """
                        select b.size from repository r
                        join repository_blob rb on rb.repository_id = r.id
                        join blob b on b.digest = rb.blob_digest
                        where r.name = ? and rb.blob_digest = ?""",
                        statement -> {
                            statement.setString(1, repositoryName);
                            statement.setString(2, digest);
                        },
                        row -> row.getLong(1))
                .map(OptionalLong::of)
                .orElse(OptionalLong.empty());
    }

    /** Returns the size of a blob anywhere in the registry, or empty if it is not stored. */
    public OptionalLong findSize(String digest) {
        List<?> sizes = getEntityManager()
                .createNativeQuery("select size from blob where digest = ?1")
                .setParameter(1, digest)
                .getResultList();
        return sizes.isEmpty() ? OptionalLong.empty() : OptionalLong.of(((Number) sizes.get(0)).longValue());
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

    /** Removes a repository's link to a blob; returns false if there was none. */
    public boolean unlink(long repositoryId, String digest) {
        return getEntityManager()
                .createNativeQuery("delete from repository_blob where repository_id = ?1 and blob_digest = ?2")
                .setParameter(1, repositoryId)
                .setParameter(2, digest)
                .executeUpdate() > 0;
    }

    /** Returns the sizes of those of {@code digests} that the repository may serve, by digest. */
    @SuppressWarnings("unchecked")
    public Map<String, Long> findLinkedSizes(long repositoryId, Collection<String> digests) {
        Map<String, Long> sizes = new HashMap<>();
        if (digests.isEmpty()) {
            return sizes;
        }
        List<Object[]> rows = getEntityManager()
                .createNativeQuery("""
                        select b.digest, b.size from repository_blob rb join blob b on b.digest = rb.blob_digest
                        where rb.repository_id = ?1 and rb.blob_digest = any(cast(?2 as varchar[]))""")
                .setParameter(1, repositoryId)
                .setParameter(2, digests.toArray(String[]::new))
                .getResultList();
        rows.forEach(row -> sizes.put((String) row[0], ((Number) row[1]).longValue()));
        return sizes;
    }
}
