package io.berth.metadata.repository;

import io.berth.metadata.entity.ManifestEntity;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/** Manifests, the blobs and children they reference, and the referrers of a subject. */
@ApplicationScoped
public class ManifestRepository implements PanacheRepositoryBase<ManifestEntity, Long> {

    /**
     * Nothing in its repository keeps the manifest {@code m}: no tag points at it, no index lists it. The
     * condition of every question about unclaimed manifests (retention, orphaned platforms, the collector).
     */
    static final String UNCLAIMED = """
            not exists (select 1 from tag t where t.manifest_id = m.id)
            and not exists (select 1 from manifest_child mc join manifest p on p.id = mc.manifest_id
                            where p.repository_id = m.repository_id and mc.child_digest = m.digest)""";

    private static final String WITH_CONTENT = "m.digest, m.media_type, m.size, m.content, m.subject_digest";
    private static final String WITHOUT_CONTENT = "m.digest, m.media_type, m.size, null, m.subject_digest";

    /** The rows of a tag lookup: the named repository's tag and the manifest it points at ({@link #bindTag}). */
    private static final String BY_TAG = """
             from repository r
             join tag t on t.repository_id = r.id
             join manifest m on m.id = t.manifest_id
            where r.name = ? and t.name = ?""";

    private final DataSource dataSource;

    public ManifestRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Finds a manifest of the named repository by digest; the bytes are read only if asked for. */
    public Optional<StoredManifest> findByDigest(String repositoryName, String digest, boolean withContent) {
        return HotReads.first(dataSource, "select " + (withContent ? WITH_CONTENT : WITHOUT_CONTENT) + """
                         from repository r join manifest m on m.repository_id = r.id
                        where r.name = ? and m.digest = ?""",
                statement -> {
                    statement.setString(1, repositoryName);
                    statement.setString(2, digest);
                },
                ManifestRepository::storedManifest);
    }

    /** Finds the manifest a tag of the named repository points at; the bytes are read only if asked for. */
    public Optional<StoredManifest> findByTag(String repositoryName, String tag, boolean withContent) {
        return HotReads.first(dataSource, "select " + (withContent ? WITH_CONTENT : WITHOUT_CONTENT) + BY_TAG,
                statement -> bindTag(statement, repositoryName, tag), ManifestRepository::storedManifest);
    }

    /** A mirrored tag as cached: the manifest it points at, and when the upstream last confirmed it (if ever). */
    public record MirroredTag(StoredManifest manifest, Optional<Instant> upstreamCheckedAt) {
    }

    /** Finds the manifest a mirrored tag points at, with the time the upstream last confirmed the tag. */
    public Optional<MirroredTag> findMirroredTag(String repositoryName, String tag, boolean withContent) {
        return HotReads.first(dataSource, "select " + (withContent ? WITH_CONTENT : WITHOUT_CONTENT)
                        + ", t.upstream_checked_at" + BY_TAG,
                statement -> bindTag(statement, repositoryName, tag),
                row -> new MirroredTag(storedManifest(row),
                        Optional.ofNullable(row.getTimestamp(6)).map(java.sql.Timestamp::toInstant)));
    }

    private static void bindTag(PreparedStatement statement, String repositoryName, String tag) throws SQLException {
        statement.setString(1, repositoryName);
        statement.setString(2, tag);
    }

    private static StoredManifest storedManifest(ResultSet row) throws SQLException {
        return new StoredManifest(row.getString(1), row.getString(2), row.getLong(3), row.getBytes(4), row.getString(5));
    }

    /**
     * Lists the digests of a repository's manifests created before {@code createdBefore} that no tag
     * points at, no index lists, and that have no subject (referrers follow their subject instead).
     */
    @SuppressWarnings("unchecked")
    public List<String> findUntagged(long repositoryId, Instant createdBefore, int limit) {
        return getEntityManager()
                .createNativeQuery("""
                        select m.digest from manifest m
                        where m.repository_id = ?1 and m.created_at < ?2 and m.subject_digest is null and %s
                        order by m.created_at limit ?3""".formatted(UNCLAIMED))
                .setParameter(1, repositoryId)
                .setParameter(2, createdBefore)
                .setParameter(3, limit)
                .getResultList();
    }

    /**
     * Records that manifests were pulled (the pairs are {@code repositories[i]}, {@code digests[i]}),
     * skipping those recorded within the last minute.
     */
    public void recordPulls(List<String> repositories, List<String> digests) {
        getEntityManager()
                .createNativeQuery("""
                        update manifest m set last_pulled_at = now()
                        from repository r, unnest(cast(?1 as varchar[]), cast(?2 as varchar[])) as p(repository, digest)
                        where r.name = p.repository and m.repository_id = r.id and m.digest = p.digest
                          and (m.last_pulled_at is null or m.last_pulled_at < now() - interval '1 minute')""")
                .setParameter(1, repositories.toArray(String[]::new))
                .setParameter(2, digests.toArray(String[]::new))
                .executeUpdate();
    }

    /**
     * Returns the id of a manifest of the repository and locks its row until the transaction ends: a tag
     * pushed onto it meanwhile waits, so what the caller reads about it next (its tags) holds.
     */
    public Optional<Long> lockId(long repositoryId, String digest) {
        List<?> rows = getEntityManager()
                .createNativeQuery("select id from manifest where repository_id = ?1 and digest = ?2 for update")
                .setParameter(1, repositoryId)
                .setParameter(2, digest)
                .getResultList();
        return rows.stream().map(row -> ((Number) row).longValue()).findFirst();
    }

    /** Returns the id of a manifest in a repository, or empty. */
    public Optional<Long> findId(long repositoryId, String digest) {
        return getEntityManager()
                .createQuery("select m.id from ManifestEntity m where m.repositoryId = :repository and m.digest = :digest",
                        Long.class)
                .setParameter("repository", repositoryId)
                .setParameter("digest", digest)
                .getResultStream()
                .findFirst();
    }

    /**
     * Returns those of {@code digests} that are not manifests of the repository, and locks the rows of
     * those that are until the transaction ends, so that none of them can be deleted
     * ({@link #deleteUnlessListed}) while the index that asked is being recorded. The lock is
     * PostgreSQL's weakest: pushing one of them again, or tagging it, does not wait for it.
     */
    @SuppressWarnings("unchecked")
    public Set<String> findMissing(long repositoryId, Collection<String> digests) {
        Set<String> missing = new HashSet<>(digests);
        if (missing.isEmpty()) {
            return missing;
        }
        List<String> present = getEntityManager()
                .createNativeQuery("""
                        select digest from manifest
                        where repository_id = ?1 and digest = any(cast(?2 as varchar[]))
                        for key share""")
                .setParameter(1, repositoryId)
                .setParameter(2, missing.toArray(String[]::new))
                .getResultList();
        present.forEach(missing::remove);
        return missing;
    }

    /**
     * Stores a manifest and its references and returns its id. Pushing the same manifest again only
     * refreshes its last-referenced time: equal digests mean equal bytes.
     */
    public long save(NewManifest manifest) {
        Number id = (Number) getEntityManager()
                .createNativeQuery("""
                        insert into manifest (repository_id, digest, media_type, artifact_type, size, content,
                                              config_digest, subject_digest, annotations)
                        values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                        on conflict (repository_id, digest) do update set last_referenced_at = now()
                        returning id""")
                .setParameter(1, manifest.repositoryId())
                .setParameter(2, manifest.digest())
                .setParameter(3, manifest.mediaType())
                .setParameter(4, manifest.artifactType())
                .setParameter(5, (long) manifest.content().length)
                .setParameter(6, manifest.content())
                .setParameter(7, manifest.configDigest())
                .setParameter(8, manifest.subjectDigest())
                .setParameter(9, manifest.annotations())
                .getSingleResult();
        long manifestId = id.longValue();
        if (!manifest.blobDigests().isEmpty()) {
            getEntityManager()
                    .createNativeQuery("""
                            insert into manifest_blob (manifest_id, blob_digest)
                            select ?1, unnest(cast(?2 as varchar[]))
                            on conflict do nothing""")
                    .setParameter(1, manifestId)
                    .setParameter(2, manifest.blobDigests().toArray(String[]::new))
                    .executeUpdate();
            // Concurrent pushes of images that share layers touch the same blob rows in any order; waiting
            // for one another's row locks deadlocks them. A row another push holds is being refreshed by
            // that push already, so it is skipped rather than waited for.
            getEntityManager()
                    .createNativeQuery("""
                            update blob set last_referenced_at = now()
                            where digest in (select digest from blob where digest = any(cast(?1 as varchar[]))
                                             for no key update skip locked)""")
                    .setParameter(1, manifest.blobDigests().toArray(String[]::new))
                    .executeUpdate();
        }
        if (!manifest.childDigests().isEmpty()) {
            getEntityManager()
                    .createNativeQuery("""
                            insert into manifest_child (manifest_id, child_digest)
                            select ?1, unnest(cast(?2 as varchar[]))
                            on conflict do nothing""")
                    .setParameter(1, manifestId)
                    .setParameter(2, manifest.childDigests().toArray(String[]::new))
                    .executeUpdate();
        }
        return manifestId;
    }

    /**
     * Deletes a manifest, and with it every tag that points at it, unless an index of the same repository
     * lists it; manifests whose {@code subject} it is (its referrers) do not keep it. The children of an
     * index that nothing else keeps are marked for the garbage collector ({@link #markOrphaned}).
     *
     * <p>Race-safe with an index push, which locks the rows of its children ({@link #findMissing}) before
     * it records them: the manifest's row is locked here first, and only then are the indexes that list
     * it read, by a statement of its own. Under PostgreSQL's READ COMMITTED each statement sees what
     * committed before it started, so either the push committed before the lock was granted and its
     * index is seen here, or the push waits for this transaction and then finds the child gone.
     */
    public Removal deleteUnlessListed(long repositoryId, String digest) {
        Optional<Long> locked = lockId(repositoryId, digest);
        if (locked.isEmpty()) {
            return new Removal.Absent();
        }
        List<?> indexes = getEntityManager()
                .createNativeQuery("""
                        select m.digest, count(*) over ()
                        from manifest_child mc join manifest m on m.id = mc.manifest_id
                        where m.repository_id = ?1 and mc.child_digest = ?2
                        order by m.digest
                        limit 1""")
                .setParameter(1, repositoryId)
                .setParameter(2, digest)
                .getResultList();
        if (!indexes.isEmpty()) {
            Object[] first = (Object[]) indexes.get(0);
            return new Removal.Refused(new ReferencingManifests((String) first[0], ReferencingManifests.Use.CHILD,
                    ((Number) first[1]).longValue()));
        }
        long id = locked.get();
        List<String> children = childDigests(id);
        getEntityManager()
                .createNativeQuery("delete from manifest where id = ?1")
                .setParameter(1, id)
                .executeUpdate();
        markOrphaned(getEntityManager(), repositoryId, children);
        return new Removal.Removed();
    }

    @SuppressWarnings("unchecked")
    private List<String> childDigests(long manifestId) {
        return getEntityManager()
                .createNativeQuery("select child_digest from manifest_child where manifest_id = ?1")
                .setParameter(1, manifestId)
                .getResultList();
    }

    /**
     * Marks those of {@code digests} (children of an index just deleted) that nothing else in the
     * repository keeps, no tag and no other index, as orphaned: the garbage collector removes them after
     * its grace period. Until then a client that deletes an index and then its children by digest, as
     * some do, still finds them.
     */
    static void markOrphaned(EntityManager em, long repositoryId, Collection<String> digests) {
        if (digests.isEmpty()) {
            return;
        }
        em.createNativeQuery("""
                        update manifest m set orphaned_at = now()
                        where m.repository_id = ?1 and m.digest = any(cast(?2 as varchar[])) and m.orphaned_at is null
                          and %s""".formatted(UNCLAIMED))
                .setParameter(1, repositoryId)
                .setParameter(2, digests.toArray(String[]::new))
                .executeUpdate();
    }

    /**
     * Lists the manifests of a repository whose subject is {@code subjectDigest}, optionally only those
     * of one artifact type, ordered by digest.
     */
    @SuppressWarnings("unchecked")
    public List<ReferrerRow> findReferrers(long repositoryId, String subjectDigest, Optional<String> artifactType) {
        List<Object[]> rows = getEntityManager()
                .createNativeQuery("""
                        select digest, media_type, size, artifact_type, annotations from manifest
                        where repository_id = ?1 and subject_digest = ?2
                          and (cast(?3 as varchar) is null or artifact_type = cast(?3 as varchar))
                        order by digest""")
                .setParameter(1, repositoryId)
                .setParameter(2, subjectDigest)
                .setParameter(3, artifactType.orElse(null))
                .getResultList();
        return rows.stream()
                .map(row -> new ReferrerRow((String) row[0], (String) row[1], ((Number) row[2]).longValue(),
                        (String) row[3], (String) row[4]))
                .toList();
    }
}
