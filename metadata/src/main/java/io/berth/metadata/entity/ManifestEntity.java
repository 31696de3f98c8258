package io.berth.metadata.entity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** An image manifest, index or artifact manifest stored in a repository, with its exact bytes. */
@Entity
@Table(name = "manifest")
public class ManifestEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "repository_id", nullable = false)
    public Long repositoryId;

    @Column(nullable = false)
    public String digest;

    @Column(name = "media_type", nullable = false)
    public String mediaType;

    @Column(name = "artifact_type")
    public String artifactType;

    @Column(nullable = false)
    public long size;

    @Column(nullable = false)
    public byte[] content;

    @Column(name = "config_digest")
    public String configDigest;

    @Column(name = "subject_digest")
    public String subjectDigest;

    /** The manifest's annotations as a JSON object, or null if it has none. */
    public String annotations;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "last_referenced_at", nullable = false)
    public Instant lastReferencedAt;
}
