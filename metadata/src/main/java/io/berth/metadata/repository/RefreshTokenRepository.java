package io.berth.metadata.repository;

import io.berth.metadata.entity.RefreshTokenEntity;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;

/** Refresh tokens by their hash. */
@ApplicationScoped
public class RefreshTokenRepository implements PanacheRepositoryBase<RefreshTokenEntity, String> {

    /** Returns the account a live refresh token belongs to. */
    public Optional<Long> accountOf(String tokenHash, Instant now) {
        return find("tokenHash = ?1 and expiresAt > ?2", tokenHash, now).firstResultOptional().map(t -> t.accountId);
    }

    public void save(String tokenHash, long accountId, Instant expiresAt) {
        RefreshTokenEntity token = new RefreshTokenEntity();
        token.tokenHash = tokenHash;
        token.accountId = accountId;
        token.expiresAt = expiresAt;
        persist(token);
        delete("expiresAt < ?1", Instant.now());
    }

    public long revokeAll(long accountId) {
        return delete("accountId", accountId);
    }
}
