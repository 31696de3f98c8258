package io.berth.metadata.repository;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
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

    /**
     * Which rows a run looks at: those last referenced (or created) before {@code before}, and of those,
     * unless {@code since} is empty (a full pass), only the ones referenced since {@code since} and the
     * ones that lost a reference since the last run (recorded by the V7 triggers). A row referenced
     * before {@code since} that lost no reference was found needed by an earlier run and still is.
     */
    public record Window(Instant before, Optional<Instant> since) {

        public static Window full(Instant before) {
            return new Window(before, Optional.empty());
        }

        /** {@code candidates} when the window is incremental, otherwise a condition that admits every row. */
        String restrictTo(String candidates) {
            return since.isPresent() ? candidates : "true";
        }

        /**
         * Up to {@code limit} rows of each kind of candidate in turn ({@code find} gets a kind's condition
         * and how many rows are still wanted); a full pass has one kind, every row.
         */
        <T> List<T> eachKind(List<String> kinds, int limit, BiFunction<String, Integer, List<T>> find) {
            List<T> found = new ArrayList<>();
            for (String candidates : since.isPresent() ? kinds : List.of("true")) {
                if (found.size() < limit) {
                    found.addAll(find.apply(candidates, limit - found.size()));
                }
            }
            return found;
        }

        /** A native query with {@code ?1} bound to the window's end, and {@code ?3}, if it has one, to its start. */
        Query query(String sql) {
            Query query = em().createNativeQuery(sql).setParameter(1, before);
            if (sql.contains("?3")) {
                query.setParameter(3, since.orElseThrow());
            }
            return query;
        }
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

    /** Referrers created within the window, or whose subject was deleted (the mark stays until they go). */
    private static final String REFERRER_CANDIDATE = "(m.created_at >= ?3 or m.subject_lost_at is not null)";

    /** Lists untagged, unlisted manifests created before the window's end whose subject is not in their repository. */
    public List<RepositoryItem> findOrphanedReferrers(Window window, int limit) {
        return findManifests(ORPHANED_REFERRER + " and " + window.restrictTo(REFERRER_CANDIDATE), "m.created_at", window,
                limit);
    }

    private List<RepositoryItem> findManifests(String condition, String order, Window window, int limit) {
        return items(window.query("select r.name, m.digest from manifest m"
                        + " join repository r on r.id = m.repository_id where " + condition + " order by " + order + " limit ?2")
                .setParameter(2, limit)
                .getResultList());
    }

    /** Deletes what {@link #findOrphanedReferrers} would list (tags and blob references go with them). */
    public List<RepositoryItem> removeOrphanedReferrers(Window window, int limit) {
        return removeManifests(ORPHANED_REFERRER, window.restrictTo(REFERRER_CANDIDATE), "m.created_at", window, limit,
                locked -> { });
    }

    /** Clears the mark of referrers whose subject was pushed again (they are no longer garbage). */
    public int clearReturnedSubjects() {
        return em().createNativeQuery("""
                        update manifest m set subject_lost_at = null where m.subject_lost_at is not null
                        and exists (select 1 from manifest s where s.repository_id = m.repository_id and s.digest = m.subject_digest)""")
                .executeUpdate();
    }

    /**
     * Deletes the manifests among {@code candidates} that match {@code condition} (both on {@code m},
     * with the window's end as {@code ?1} and its start as {@code ?3}): locks up to {@code limit} of
     * them, hands their ids to {@code beforeDelete}, and deletes those that still match, as a statement
     * of its own.
     */
    private List<RepositoryItem> removeManifests(String condition, String candidates, String order, Window window, int limit,
            Consumer<List<Long>> beforeDelete) {
        List<Long> locked = ids(window.query("select m.id from manifest m where " + condition
                        + " and " + candidates + " order by " + order + " limit ?2 for update of m skip locked")
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
                .setParameter(1, window.before())
                .setParameter(2, locked.toArray(Long[]::new))
                .getResultList());
    }

    // --- 2b. platforms of deleted indexes that nothing claimed since -----------------------------------

    private static final String ORPHANED_CHILD = "m.orphaned_at < ?1 and " + ManifestRepository.UNCLAIMED;

    /** Lists manifests orphaned by an index's deletion before {@code orphanedBefore} that no tag or index claims. */
    public List<RepositoryItem> findOrphanedChildren(Instant orphanedBefore, int limit) {
        // The marked rows are few (they go after one grace period): every run looks at all of them.
        return findManifests(ORPHANED_CHILD, "m.orphaned_at", Window.full(orphanedBefore), limit);
    }

    /**
     * Deletes what {@link #findOrphanedChildren} would list; those that are indexes themselves leave their
     * own children orphaned in turn, for a later batch.
     */
    public List<RepositoryItem> removeOrphanedChildren(Instant orphanedBefore, int limit) {
        Map<Long, List<String>> grandchildren = new HashMap<>();
        Window marked = Window.full(orphanedBefore);
        List<RepositoryItem> removed = removeManifests(ORPHANED_CHILD, "true", "m.orphaned_at", marked, limit, locked -> {
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

    /**
     * The two kinds of candidate link, disjoint, each a plain condition on {@code rb} that an index
     * serves: links referenced within the window, and older links to a blob that lost a reference.
     * They are looked at one after the other: one condition joining both (a row IN over their union)
     * was planned into a statement that cost seconds per batch at 10,000 links.
     */
    private static final List<String> LINK_CANDIDATES = List.of("rb.last_referenced_at >= ?3",
            "rb.last_referenced_at < ?3 and rb.blob_digest in (select blob_digest from gc_suspect)");

    /** Lists links last referenced before the window's end that no manifest of their repository references. */
    public List<RepositoryItem> findUnneededLinks(Window window, int limit) {
        return window.eachKind(LINK_CANDIDATES, limit, (candidates, left) -> items(window.query(
                        "select r.name, rb.blob_digest from repository_blob rb join repository r on r.id = rb.repository_id where "
                                + UNNEEDED_LINK + " and " + candidates + " order by rb.last_referenced_at limit ?2")
                .setParameter(2, left)
                .getResultList()));
    }

    /** Deletes what {@link #findUnneededLinks} would list; a manifest push holding a link keeps it. */
    public List<RepositoryItem> removeUnneededLinks(Window window, int limit) {
        return window.eachKind(LINK_CANDIDATES, limit, (candidates, left) -> removeUnneededLinks(window, candidates, left));
    }

    private List<RepositoryItem> removeUnneededLinks(Window window, String candidates, int limit) {
        @SuppressWarnings("unchecked")
        List<Object[]> locked = window.query("""
                        select rb.repository_id, rb.blob_digest from repository_blob rb where %s and %s
                        order by rb.last_referenced_at limit ?2 for update of rb skip locked"""
                        .formatted(UNNEEDED_LINK, candidates))
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
                .setParameter(1, window.before())
                .setParameter(2, repositories)
                .setParameter(3, digests)
                .getResultList());
    }

    // --- 4. blobs nothing references -------------------------------------------------------------------

    private static final String UNREFERENCED_BLOB = """
            b.last_referenced_at < ?1
            and not exists (select 1 from repository_blob rb where rb.blob_digest = b.digest)
            and not exists (select 1 from manifest_blob mb where mb.blob_digest = b.digest)""";

    /** Blobs referenced within the window, and older blobs that lost a reference (as for links, one after the other). */
    private static final List<String> BLOB_CANDIDATES = List.of("b.last_referenced_at >= ?3",
            "b.last_referenced_at < ?3 and b.digest in (select blob_digest from gc_suspect)");

    /** Lists blobs last referenced before the window's end that no link and no manifest references. */
    public List<BlobRow> findUnreferencedBlobs(Window window, int limit) {
        return window.eachKind(BLOB_CANDIDATES, limit, (candidates, left) -> blobRows(window.query(
                        "select b.digest, b.size from blob b where " + UNREFERENCED_BLOB + " and " + candidates
                                + " order by b.last_referenced_at limit ?2")
                .setParameter(2, left)
                .getResultList()));
    }

    /** The newest loss recorded so far: a run clears, at its end, the losses up to the one it saw at its start. */
    public long lastSuspect() {
        return ((Number) em().createNativeQuery("select coalesce(max(seq), 0) from gc_suspect").getSingleResult()).longValue();
    }

    /** Records {@code digests} as blobs to look at again (the collector could not decide them this run). */
    public void suspect(Collection<String> digests) {
        if (digests.isEmpty()) {
            return;
        }
        em().createNativeQuery("""
                        insert into gc_suspect (blob_digest, seq)
                        select digest, nextval('gc_suspect_seq') from (select distinct unnest(cast(?1 as varchar[])) as digest order by 1) d
                        on conflict (blob_digest) do update set seq = excluded.seq""")
                .setParameter(1, digests.toArray(String[]::new))
                .executeUpdate();
    }

    /**
     * Forgets the losses recorded up to {@code upTo}, which a run has looked at; a blob that lost another
     * reference since has a newer seq and stays, and one a delete is recording right now is skipped.
     */
    public int clearSuspects(long upTo) {
        return em().createNativeQuery("""
                        delete from gc_suspect where blob_digest in (
                            select blob_digest from gc_suspect where seq <= ?1 for update skip locked)""")
                .setParameter(1, upTo)
                .executeUpdate();
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
        // A deleted blob has nothing left to lose: its losses go with it.
        return blobRows(em().createNativeQuery("""
                        with gone as (delete from blob b where b.digest = any(cast(?2 as varchar[])) and %s
                                      returning b.digest, b.size),
                             forgotten as (delete from gc_suspect s using gone where s.blob_digest = gone.digest)
                        select digest, size from gone""".formatted(UNREFERENCED_BLOB))
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
