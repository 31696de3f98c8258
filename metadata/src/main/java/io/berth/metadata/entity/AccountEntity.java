package io.berth.metadata.entity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** Someone or something that logs in: a user (local or from an identity provider) or a robot. */
@Entity
@Table(name = "account")
public class AccountEntity extends PanacheEntityBase {

    public static final String USER = "user";
    public static final String ROBOT = "robot";
    public static final String LOCAL = "local";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String name;

    /** {@link #USER} or {@link #ROBOT}. */
    @Column(nullable = false)
    public String kind;

    /** The bcrypt hash of the password or robot secret; null when an identity provider checks it. */
    @Column(name = "password_hash")
    public String passwordHash;

    /** {@link #LOCAL}, or the identity provider this account comes from. */
    @Column(name = "identity_provider", nullable = false)
    public String identityProvider = LOCAL;

    @Column(nullable = false)
    public boolean administrator;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "last_used_at")
    public Instant lastUsedAt;

    public String description;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt = Instant.now();

    public boolean isRobot() {
        return ROBOT.equals(kind);
    }
}
