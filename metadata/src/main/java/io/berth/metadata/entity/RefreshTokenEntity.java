package io.berth.metadata.entity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A refresh token, known only by its SHA-256: whoever holds the token may get access tokens for the account. */
@Entity
@Table(name = "refresh_token")
public class RefreshTokenEntity extends PanacheEntityBase {

    @Id
    @Column(name = "token_hash")
    public String tokenHash;

    @Column(name = "account_id", nullable = false)
    public Long accountId;

    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;
}
