package io.berth.metadata.entity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A blob upload in progress, with everything a replica needs to take its next chunk. */
@Entity
@Table(name = "upload_session")
public class UploadSessionEntity extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "repository_id", nullable = false)
    public Long repositoryId;

    @Column(nullable = false)
    public long size;

    @Column(name = "hash_algorithm", nullable = false)
    public String hashAlgorithm;

    @Column(name = "hash_state")
    public byte[] hashState;

    @Column(name = "store_state")
    public String storeState;

    /** The account that opened the session; null when the registry runs without authentication. */
    @Column(name = "started_by")
    public String startedBy;

    /** The client address that opened the session. */
    @Column(name = "started_from")
    public String startedFrom;

    @Column(name = "lease_token")
    public UUID leaseToken;

    @Column(name = "lease_expires_at")
    public Instant leaseExpiresAt;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
