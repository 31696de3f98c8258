package io.berth.metadata.repository;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;

/**
 * Failed logins per account name and source address in a fixed window, counted in PostgreSQL so that
 * every replica refuses the same guesser.
 *
 * <p>The table stays small whatever a client sends: an address gets a row of its own for at most
 * {@link Tracking#maxNamesPerAddress()} names in a window, and failures for any further name from it are
 * counted in the address's one {@link #OTHER_NAMES} row. Each recorded failure also deletes a few rows
 * whose window has ended, so expired rows drain while failures arrive. Concurrent failures may each see
 * room for one more name and add it, so an address may hold a few names more than the bound, never an
 * unbounded number.
 */
@ApplicationScoped
public class LoginFailureRepository {

    /**
     * The account key under which an address's failures for names past the bound are counted: no account
     * can have it, since account names are lower-case letters, digits and {@code . _ - +}.
     */
    public static final String OTHER_NAMES = "*";

    /** More than the one row a failure may add, so the expired rows shrink while failures arrive. */
    static final int EXPIRED_ROWS_PER_FAILURE = 16;

    private final EntityManager entityManager;

    public LoginFailureRepository(EntityManager entityManager) {
        this.entityManager = entityManager;
    }

    /**
     * How failures are kept: the window they count in, and how many names an address gets a count of its
     * own for before further names share its {@link #OTHER_NAMES} row.
     */
    public record Tracking(Duration window, int maxNamesPerAddress) {
    }

    /**
     * The failures in the current window: those counted for the account in a row of its own (0 when its
     * failures, if any, went to the address's {@link #OTHER_NAMES} row), and those of the address for all
     * names together.
     */
    public record Failures(int ofAccount, int ofAddress) {
    }

    /** Returns the failures counted in the current window for the account and for its source address. */
    public Failures failures(String account, String source, Instant now, Duration window) {
        Object[] row = (Object[]) entityManager.createNativeQuery("""
                        select coalesce(max(failures) filter (where account_name = ?1), 0), coalesce(sum(failures), 0)
                        from login_failure
                        where source_address = ?2 and window_started_at > ?3""")
                .setParameter(1, account)
                .setParameter(2, source)
                .setParameter(3, now.minus(window))
                .getSingleResult();
        return new Failures(((Number) row[0]).intValue(), ((Number) row[1]).intValue());
    }

    /**
     * Counts one more failure, for the account if it has a row or the address has room for one more name,
     * otherwise in the address's {@link #OTHER_NAMES} row; a row whose window has ended starts a new one.
     * Then deletes up to {@value #EXPIRED_ROWS_PER_FAILURE} expired rows of any address.
     */
    public void recordFailure(String account, String source, Instant now, Tracking tracking) {
        Instant windowStart = now.minus(tracking.window());
        entityManager.createNativeQuery("""
                        insert into login_failure (source_address, account_name, failures, window_started_at)
                        select ?2, case when tracked.own or tracked.names < ?5 then ?1 else ?6 end, 1, ?3
                        from (select coalesce(bool_or(account_name = ?1), false) as own, count(*) as names
                              from login_failure
                              where source_address = ?2 and account_name <> ?6 and window_started_at > ?4) tracked
                        on conflict (source_address, account_name) do update set
                          failures = case when login_failure.window_started_at > ?4 then login_failure.failures + 1 else 1 end,
                          window_started_at = case when login_failure.window_started_at > ?4
                                                   then login_failure.window_started_at else ?3 end""")
                .setParameter(1, account)
                .setParameter(2, source)
                .setParameter(3, now)
                .setParameter(4, windowStart)
                .setParameter(5, tracking.maxNamesPerAddress())
                .setParameter(6, OTHER_NAMES)
                .executeUpdate();
        deleteExpired(windowStart);
    }

    /** Forgets the failures of a source once it logged in. */
    public void clear(String account, String source) {
        entityManager.createNativeQuery("delete from login_failure where source_address = ?1 and account_name = ?2")
                .setParameter(1, source)
                .setParameter(2, account)
                .executeUpdate();
    }

    /**
     * Deletes a few of the rows whose window started at or before {@code windowStart}, oldest first. Rows
     * another transaction holds are skipped, not waited for: a later failure deletes them.
     */
    private void deleteExpired(Instant windowStart) {
        entityManager.createNativeQuery("""
                        delete from login_failure
                        where (source_address, account_name) in (
                            select source_address, account_name from login_failure
                            where window_started_at <= ?1
                            order by window_started_at
                            limit ?2
                            for update skip locked)
                          and window_started_at <= ?1""")
                .setParameter(1, windowStart)
                .setParameter(2, EXPIRED_ROWS_PER_FAILURE)
                .executeUpdate();
    }
}
