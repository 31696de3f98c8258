package io.berth.metadata.entity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;

/** The actions a robot may take in one namespace, as a comma-separated list ({@code pull,push}). */
@Entity
@Table(name = "robot_permission")
public class RobotPermissionEntity extends PanacheEntityBase {

    @EmbeddedId
    public Key key;

    @Column(nullable = false)
    public String actions;

    /** Robot account and namespace name. */
    @Embeddable
    public record Key(@Column(name = "account_id") Long accountId, @Column(name = "namespace") String namespace)
            implements Serializable {
    }
}
