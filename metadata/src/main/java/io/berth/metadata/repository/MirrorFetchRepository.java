package io.berth.metadata.repository;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Collection;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Leases of the fetches from an upstream in flight: at most one unexpired lease per fetched blob or
 * manifest, whichever replica took it. Each statement runs on its own connection in auto-commit mode:
 * a lease must be visible to the other replicas the moment it is taken, whatever transaction the
 * caller is in.
 */
@ApplicationScoped
public class MirrorFetchRepository {

    private final DataSource dataSource;

    public MirrorFetchRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Takes the lease of {@code key} for {@code duration} unless another holder's lease is unexpired;
     * returns whether this caller holds it now.
     */
    public boolean acquire(String key, UUID token, Duration duration) {
        return run("""
                insert into mirror_fetch (fetch_key, lease_token, lease_expires_at)
                values (?, ?, now() + make_interval(secs => ?))
                on conflict (fetch_key) do update
                    set lease_token = excluded.lease_token, lease_expires_at = excluded.lease_expires_at
                    where mirror_fetch.lease_expires_at < now()""", statement -> {
            statement.setString(1, key);
            statement.setObject(2, token);
            statement.setDouble(3, duration.toMillis() / 1000.0);
            return statement.executeUpdate() == 1;
        });
    }

    /** Extends the leases held under {@code tokens}; returns how many were still held. */
    public int renew(Collection<UUID> tokens, Duration duration) {
        if (tokens.isEmpty()) {
            return 0;
        }
        return run("""
                update mirror_fetch set lease_expires_at = now() + make_interval(secs => ?)
                where lease_token = any(?)""", statement -> {
            statement.setDouble(1, duration.toMillis() / 1000.0);
            statement.setArray(2, statement.getConnection().createArrayOf("uuid", tokens.toArray()));
            return statement.executeUpdate();
        });
    }

    /** Gives the lease of {@code key} up, if {@code token} still holds it. */
    public void release(String key, UUID token) {
        run("delete from mirror_fetch where fetch_key = ? and lease_token = ?", statement -> {
            statement.setString(1, key);
            statement.setObject(2, token);
            return statement.executeUpdate();
        });
    }

    private <T> T run(String sql, AutoCommitted.StatementWork<T> work) {
        return AutoCommitted.run(dataSource, sql, "mirror fetch lease", work);
    }
}
