package io.berth.metadata.repository;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Failed logins per account name and source address in a fixed window, counted in PostgreSQL so that
 * every replica refuses the same guesser.
 */
@ApplicationScoped
public class LoginFailureRepository {

    private final EntityManager entityManager;

    public LoginFailureRepository(EntityManager entityManager) {
        this.entityManager = entityManager;
    }

    /** Returns the failures counted in the current window (0 once the window is over). */
    @SuppressWarnings("unchecked")
    public int failures(String account, String source, Instant now, Duration window) {
        List<Number> rows = entityManager.createNativeQuery("""
                        select failures from login_failure
                        where account_name = ?1 and source_address = ?2 and window_started_at > ?3""")
                .setParameter(1, account)
                .setParameter(2, source)
                .setParameter(3, now.minus(window))
                .getResultList();
        return rows.isEmpty() ? 0 : rows.get(0).intValue();
    }

    /** Counts one more failure; a failure after the window has ended starts a new window. */
    public void recordFailure(String account, String source, Instant now, Duration window) {
        entityManager.createNativeQuery("""
                        insert into login_failure (account_name, source_address, failures, window_started_at)
                        values (?1, ?2, 1, ?3)
                        on conflict (account_name, source_address) do update set
                          failures = case when login_failure.window_started_at > ?4 then login_failure.failures + 1 else 1 end,
                          window_started_at = case when login_failure.window_started_at > ?4
                                                   then login_failure.window_started_at else ?3 end""")
                .setParameter(1, account)
                .setParameter(2, source)
                .setParameter(3, now)
                .setParameter(4, now.minus(window))
                .executeUpdate();
    }

    /** Forgets the failures of a source once it logged in. */
    public void clear(String account, String source) {
        entityManager.createNativeQuery("delete from login_failure where account_name = ?1 and source_address = ?2")
                .setParameter(1, account)
                .setParameter(2, source)
                .executeUpdate();
    }
}
