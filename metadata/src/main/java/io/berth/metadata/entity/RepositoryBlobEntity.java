package io.berth.metadata.entity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;

/** The link that lets a repository serve a blob (CNCF distribution's {@code _layers/.../link}). */
@Entity
@Table(name = "repository_blob")
public class RepositoryBlobEntity extends PanacheEntityBase {

    @EmbeddedId
    public Key key;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "last_referenced_at", nullable = false)
    public Instant lastReferencedAt;

    /** Repository and blob. */
    @Embeddable
    public record Key(@Column(name = "repository_id") Long repositoryId, @Column(name = "blob_digest") String blobDigest)
            implements Serializable {
    }
}
