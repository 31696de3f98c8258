package io.berth.metadata.repository;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The garbage collector's runs and their reports (the report is JSON the collector writes and reads). */
@ApplicationScoped
public class GcRunRepository {

    /** A run as stored. */
    public record GcRunRow(long id, boolean dryRun, String requestedBy, String status, boolean orphanScan,
            boolean fullPass, Optional<String> replica, Instant createdAt, Optional<Instant> startedAt, Optional<Instant> finishedAt,
            Optional<String> report) {
    }

    private static EntityManager em() {
        return Panache.getEntityManager();
    }

    /** Records a run that is asked for and returns its id. */
    public long create(boolean dryRun, String requestedBy) {
        return ((Number) em().createNativeQuery("""
                        insert into gc_run (dry_run, requested_by, status) values (?1, ?2, 'pending') returning id""")
                .setParameter(1, dryRun)
                .setParameter(2, requestedBy)
                .getSingleResult()).longValue();
    }

    /** Marks runs still 'running' as abandoned: called by the holder of the collector's lock, so none of them runs. */
    public int abandonRunning() {
        return em().createNativeQuery("""
                        update gc_run set status = 'abandoned', finished_at = now() where status = 'running'""")
                .executeUpdate();
    }

    public void start(long id, String replica, boolean orphanScan, boolean fullPass) {
        em().createNativeQuery("""
                        update gc_run set status = 'running', replica = ?2, orphan_scan = ?3, full_pass = ?4, started_at = now()
                        where id = ?1""")
                .setParameter(1, id)
                .setParameter(2, replica)
                .setParameter(3, orphanScan)
                .setParameter(4, fullPass)
                .executeUpdate();
    }

    /** Ends a run with a status ('finished', 'failed' or 'skipped') and its report. */
    public void finish(long id, String status, String report) {
        finish(id, status, report, null);
    }

    /**
     * Ends a run that removed everything garbage up to {@code referenceCutoff}, where the next run's
     * window starts.
     */
    public void finish(long id, String status, String report, Instant referenceCutoff) {
        em().createNativeQuery("""
                        update gc_run set status = ?2, report = ?3, reference_cutoff = cast(?4 as timestamptz), finished_at = now()
                        where id = ?1""")
                .setParameter(1, id)
                .setParameter(2, status)
                .setParameter(3, report)
                .setParameter(4, referenceCutoff)
                .executeUpdate();
    }

    /** The cutoff the last complete deleting run worked up to, if one did. */
    public Optional<Instant> lastReferenceCutoff() {
        List<?> rows = em().createNativeQuery("select max(reference_cutoff) from gc_run where status = 'finished'")
                .getResultList();
        return rows.isEmpty() || rows.get(0) == null ? Optional.empty() : Optional.of(Times.instant(rows.get(0)));
    }

    /** When the last finished run that walked the store for orphans started, if any did. */
    public Optional<Instant> lastOrphanScan() {
        List<?> rows = em().createNativeQuery("""
                        select max(started_at) from gc_run where orphan_scan and status = 'finished' and not dry_run""")
                .getResultList();
        return rows.isEmpty() || rows.get(0) == null ? Optional.empty() : Optional.of(Times.instant(rows.get(0)));
    }

    public Optional<GcRunRow> find(long id) {
        return rows("where id = ?1", id, 1).stream().findFirst();
    }

    /** The newest runs first. */
    public List<GcRunRow> list(int limit) {
        return rows("", null, limit);
    }

    private List<GcRunRow> rows(String where, Object parameter, int limit) {
        var query = em().createNativeQuery("""
                select id, dry_run, requested_by, status, orphan_scan, full_pass, replica, created_at, started_at, finished_at,
                       report
                from gc_run %s order by id desc limit %d""".formatted(where, limit));
        if (parameter != null) {
            query.setParameter(1, parameter);
        }
        List<?> result = query.getResultList();
        return result.stream().map(row -> (Object[]) row).map(row -> new GcRunRow(
                ((Number) row[0]).longValue(), (Boolean) row[1], (String) row[2], (String) row[3], (Boolean) row[4],
                (Boolean) row[5], Optional.ofNullable((String) row[6]), Times.instant(row[7]),
                Optional.ofNullable(row[8]).map(Times::instant), Optional.ofNullable(row[9]).map(Times::instant),
                Optional.ofNullable((String) row[10]))).toList();
    }
}
