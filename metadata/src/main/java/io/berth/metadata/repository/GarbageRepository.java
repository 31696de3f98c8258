package io.berth.metadata.repository;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The garbage collector's queries: what is garbage, and its removal. Each removal locks its candidate
 * rows first ({@code for update skip locked}: rows a push holds are left for the next run) and only
 * then checks, by a statement of its own, that nothing references them. Under READ COMMITTED each
 * statement sees what committed before it started, so a push that committed before the lock was
 * granted is seen by the check, and a push that had not must wait for this transaction and then finds
 * the row gone (the pushes' side of this is in {@link BlobRepository} and {@link ManifestRepository}).
 * Callers run each method in a transaction of its own.
 */
@ApplicationScoped
public class GarbageRepository {

    /** A blob or link found to be garbage, with the size its bytes take. */
    public record BlobRow(String digest, long size) {
    }

    /** A repository's link to a blob, or a repository's manifest. */
    public record RepositoryItem(String repository, String digest) {
    }

    private static EntityManager em() {
        return Panache.getEntityManager();
    }

    // --- 1. abandoned upload sessions --------------------------------------------------------------

    /** An upload session untouched since {@code ?1} whose lease, if it has one, has expired. */
    private static final String ABANDONED_UPLOAD = """
            select id from upload_session
            where updated_at < ?1 and (lease_expires_at is null or lease_expires_at < now())
            order by updated_at limit ?2""";

    /** Lists upload sessions untouched since {@code idleBefore} whose lease (if any) has expired. */
    @SuppressWarnings("unchecked")
    public List<UUID> findAbandonedUploads(Instant idleBefore, int limit) {
        return em().createNativeQuery(ABANDONED_UPLOAD, UUID.class)
                .setParameter(1, idleBefore)
                .setParameter(2, limit)
                .getResultList();
    }

    /** Removes the sessions {@link #findAbandonedUploads} would list and returns their ids; their staged bytes are the caller's. */
    @SuppressWarnings("unchecked")
    public List<UUID> removeAbandonedUploads(Instant idleBefore, int limit) {
        // Every condition is on the row itself, which the lock re-reads: one statement suffices.
        return em().createNativeQuery("delete from upload_session where id in (" + ABANDONED_UPLOAD
                        + " for update skip locked) returning id", UUID.class)
                .setParameter(1, idleBefore)
                .setParameter(2, limit)
                .getResultList();
    }

    // --- 2. referrers whose subject is gone ---------------------------------------------------------

    private static final String ORPHANED_REFERRER = """
            m.subject_digest is not null and m.created_at < ?1
            and not exists (select 1 from manifest s where s.repository_id = m.repository_id and s.digest = m.subject_digest)"""
            + " and " + ManifestRepository.UNCLAIMED;

    /** Lists untagged, unlisted manifests older than {@code createdBefore} whose subject is not in their repository. */
    public List<RepositoryItem> findOrphanedReferrers(Instant createdBefore, int limit) {
        return findManifests(ORPHANED_REFERRER, "m.created_at", createdBefore, limit);
    }

    private List<RepositoryItem> findManifests(String condition, String order, Instant cutoff, int limit) {
        return items(em().createNativeQuery("select r.name, m.digest from manifest m join repository r on r.id = m.repository_id"
                + " where " + condition + " order by " + order + " limit ?2")
                .setParameter(1, cutoff)
                .setParameter(2, limit)
                .getResultList());
    }

    /** Deletes what {@link #findOrphanedReferrers} would list (tags and blob references go with them). */
    public List<RepositoryItem> removeOrphanedReferrers(Instant createdBefore, int limit) {
        return removeManifests(ORPHANED_REFERRER, "m.created_at", createdBefore, limit, locked -> { });
    }

    /**
     * Deletes the manifests that match {@code condition} (on {@code m}, with the cutoff as {@code ?1}):
     * locks up to {@code limit} of them, hands their ids to {@code beforeDelete}, and deletes those that
     * still match, as a statement of its own.
     */
    private List<RepositoryItem> removeManifests(String condition, String order, Instant cutoff, int limit,
            Consumer<List<Long>> beforeDelete) {
        List<Long> locked = ids(em().createNativeQuery("select m.id from manifest m where " + condition
                        + " order by " + order + " limit ?2 for update of m skip locked")
                .setParameter(1, cutoff)
                .setParameter(2, limit)
                .getResultList());
        if (locked.isEmpty()) {
            return List.of();
        }
        beforeDelete.accept(locked);
        return items(em().createNativeQuery("""
                        with gone as (delete from manifest m where m.id = any(cast(?2 as bigint[])) and %s
                                      returning m.repository_id, m.digest)
                        select r.name, gone.digest from gone join repository r on r.id = gone.repository_id"""
                        .formatted(condition))
                .setParameter(1, cutoff)
                .setParameter(2, locked.toArray(Long[]::new))
                .getResultList());
    }

    // --- 2b. platforms of deleted indexes that nothing claimed since -----------------------------------

    private static final String ORPHANED_CHILD = "m.orphaned_at < ?1 and " + ManifestRepository.UNCLAIMED;

    /** Lists manifests orphaned by an index's deletion before {@code orphanedBefore} that no tag or index claims. */
    public List<RepositoryItem> findOrphanedChildren(Instant orphanedBefore, int limit) {
        return findManifests(ORPHANED_CHILD, "m.orphaned_at", orphanedBefore, limit);
    }

    /**
     * Deletes what {@link #findOrphanedChildren} would list; those that are indexes themselves leave their
     * own children orphaned in turn, for a later batch.
     */
    public List<RepositoryItem> removeOrphanedChildren(Instant orphanedBefore, int limit) {
        Map<Long, List<String>> grandchildren = new HashMap<>();
        List<RepositoryItem> removed = removeManifests(ORPHANED_CHILD, "m.orphaned_at", orphanedBefore, limit, locked -> {
            List<?> rows = em().createNativeQuery("""
                            select m.repository_id, mc.child_digest from manifest_child mc join manifest m on m.id = mc.manifest_id
                            where m.id = any(cast(?1 as bigint[]))""")
                    .setParameter(1, locked.toArray(Long[]::new))
                    .getResultList();
            rows.stream().map(row -> (Object[]) row).forEach(row -> grandchildren
                    .computeIfAbsent(((Number) row[0]).longValue(), id -> new ArrayList<>()).add((String) row[1]));
        });
        grandchildren.forEach((repositoryId, digests) -> ManifestRepository.markOrphaned(em(), repositoryId, digests));
        return removed;
    }

    // --- 3. repository links no manifest of the repository needs ------------------------------------

    private static final String UNNEEDED_LINK = """
            rb.last_referenced_at < ?1
            and not exists (select 1 from manifest_blob mb join manifest m on m.id = mb.manifest_id
                            where m.repository_id = rb.repository_id and mb.blob_digest = rb.blob_digest)""";

    /** Lists links older than {@code referencedBefore} that no manifest of their repository references. */
    public List<RepositoryItem> findUnneededLinks(Instant referencedBefore, int limit) {
        return items(em().createNativeQuery("select r.name, rb.blob_digest from repository_blob rb"
                + " join repository r on r.id = rb.repository_id where " + UNNEEDED_LINK
                + " order by rb.last_referenced_at limit ?2")
                .setParameter(1, referencedBefore)
                .setParameter(2, limit)
                .getResultList());
    }

    /** Deletes what {@link #findUnneededLinks} would list; a manifest push holding a link keeps it. */
    public List<RepositoryItem> removeUnneededLinks(Instant referencedBefore, int limit) {
        @SuppressWarnings("unchecked")
        List<Object[]> locked = em().createNativeQuery("""
                        select rb.repository_id, rb.blob_digest from repository_blob rb where %s
                        order by rb.last_referenced_at limit ?2 for update of rb skip locked""".formatted(UNNEEDED_LINK))
                .setParameter(1, referencedBefore)
                .setParameter(2, limit)
                .getResultList();
        if (locked.isEmpty()) {
            return List.of();
        }
        // The pairs as two parallel arrays, unnested together.
        Long[] repositories = locked.stream().map(row -> ((Number) row[0]).longValue()).toArray(Long[]::new);
        String[] digests = locked.stream().map(row -> (String) row[1]).toArray(String[]::new);
        return items(em().createNativeQuery("""
                        with gone as (delete from repository_blob rb
                                      using unnest(cast(?2 as bigint[]), cast(?3 as varchar[])) as l(repository_id, digest)
                                      where rb.repository_id = l.repository_id and rb.blob_digest = l.digest and %s
                                      returning rb.repository_id, rb.blob_digest)
                        select r.name, gone.blob_digest from gone join repository r on r.id = gone.repository_id"""
                        .formatted(UNNEEDED_LINK))
                .setParameter(1, referencedBefore)
                .setParameter(2, repositories)
                .setParameter(3, digests)
                .getResultList());
    }

    // --- 4. blobs nothing references -------------------------------------------------------------------

    private static final String UNREFERENCED_BLOB = """
            b.last_referenced_at < ?1
            and not exists (select 1 from repository_blob rb where rb.blob_digest = b.digest)
            and not exists (select 1 from manifest_blob mb where mb.blob_digest = b.digest)""";

    /** Lists blobs older than {@code referencedBefore} that no link and no manifest references. */
    public List<BlobRow> findUnreferencedBlobs(Instant referencedBefore, int limit) {
        return blobRows(em().createNativeQuery("select b.digest, b.size from blob b where " + UNREFERENCED_BLOB
                        + " order by b.last_referenced_at limit ?2")
                .setParameter(1, referencedBefore)
                .setParameter(2, limit)
                .getResultList());
    }

    /**
     * Deletes those of {@code digests} that are still unreferenced and returns them. The caller holds
     * their blob locks ({@link CollectorLock#tryLockBlobs}) and keeps them until the bytes are deleted.
     */
    public List<BlobRow> removeUnreferencedBlobs(Instant referencedBefore, Collection<String> digests) {
        if (digests.isEmpty()) {
            return List.of();
        }
        List<String> locked = strings(em().createNativeQuery("""
                        select digest from blob where digest = any(cast(?1 as varchar[])) for update skip locked""")
                .setParameter(1, digests.toArray(String[]::new))
                .getResultList());
        if (locked.isEmpty()) {
            return List.of();
        }
        return blobRows(em().createNativeQuery("delete from blob b where b.digest = any(cast(?2 as varchar[])) and "
                        + UNREFERENCED_BLOB + " returning b.digest, b.size")
                .setParameter(1, referencedBefore)
                .setParameter(2, locked.toArray(String[]::new))
                .getResultList());
    }

    // --- 5. orphan objects -----------------------------------------------------------------------------

    /** Returns those of {@code digests} that have a blob row. */
    public Set<String> findRecorded(Collection<String> digests) {
        return Set.copyOf(findRecordedSizes(digests).keySet());
    }

    // --- the consistency check -------------------------------------------------------------------------

    /** Returns the recorded sizes of those of {@code digests} that have a blob row. */
    public Map<String, Long> findRecordedSizes(Collection<String> digests) {
        Map<String, Long> sizes = new HashMap<>();
        if (digests.isEmpty()) {
            return sizes;
        }
        List<?> rows = em().createNativeQuery("select digest, size from blob where digest = any(cast(?1 as varchar[]))")
                .setParameter(1, digests.toArray(String[]::new))
                .getResultList();
        rows.stream().map(row -> (Object[]) row).forEach(row -> sizes.put((String) row[0], ((Number) row[1]).longValue()));
        return sizes;
    }

    /** A page of blob rows in digest order, after {@code after} (exclusive; empty for the first page). */
    public List<BlobRow> pageBlobs(String after, int limit) {
        return blobRows(em().createNativeQuery("select digest, size from blob where digest > ?1 order by digest limit ?2")
                .setParameter(1, after)
                .setParameter(2, limit)
                .getResultList());
    }

    // --- rows to values ----------------------------------------------------------------------------------

    private static List<RepositoryItem> items(List<?> rows) {
        return rows.stream().map(row -> (Object[]) row).map(row -> new RepositoryItem((String) row[0], (String) row[1])).toList();
    }

    private static List<BlobRow> blobRows(List<?> rows) {
        return rows.stream().map(row -> (Object[]) row).map(row -> new BlobRow((String) row[0], ((Number) row[1]).longValue()))
                .toList();
    }

    private static List<Long> ids(List<?> rows) {
        return rows.stream().map(row -> ((Number) row).longValue()).collect(Collectors.toList());
    }

    private static List<String> strings(List<?> rows) {
        return rows.stream().map(String.class::cast).toList();
    }
}
