package io.berth.metadata.entity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A repository such as {@code library/alpine}: created by its first push. */
@Entity
@Table(name = "repository")
public class RepositoryEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, length = 255)
    public String name;

    /** Whether anyone, anonymous included, may pull it (its namespace may make it public too). */
    @Column(name = "public", nullable = false)
    public boolean isPublic;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
