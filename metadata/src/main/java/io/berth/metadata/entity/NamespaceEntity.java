package io.berth.metadata.entity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** The first component of repository names: a user's personal namespace or an organization. */
@Entity
@Table(name = "namespace")
public class NamespaceEntity extends PanacheEntityBase {

    public static final String USER = "user";
    public static final String ORGANIZATION = "organization";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String name;

    /** {@link #USER} or {@link #ORGANIZATION}. */
    @Column(nullable = false)
    public String kind;

    /** The user whose personal namespace this is; null for an organization. */
    @Column(name = "owner_account_id")
    public Long ownerAccountId;

    /** Whether anyone, anonymous included, may pull every repository in it. */
    @Column(name = "public", nullable = false)
    public boolean isPublic;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt = Instant.now();
}
