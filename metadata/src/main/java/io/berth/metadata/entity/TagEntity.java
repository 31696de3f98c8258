package io.berth.metadata.entity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;

/** A tag: a name in a repository that points at one manifest. */
@Entity
@Table(name = "tag")
public class TagEntity extends PanacheEntityBase {

    @EmbeddedId
    public Key key;

    @Column(name = "manifest_id", nullable = false)
    public Long manifestId;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** Repository and tag name. */
    @Embeddable
    public record Key(@Column(name = "repository_id") Long repositoryId, @Column(name = "name") String name)
            implements Serializable {
    }
}
