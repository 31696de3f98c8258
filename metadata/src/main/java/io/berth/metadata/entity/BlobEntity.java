package io.berth.metadata.entity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A blob held by the blob store, once for the whole registry. */
@Entity
@Table(name = "blob")
public class BlobEntity extends PanacheEntityBase {

    @Id
    public String digest;

    @Column(nullable = false)
    public long size;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "last_referenced_at", nullable = false)
    public Instant lastReferencedAt;
}
