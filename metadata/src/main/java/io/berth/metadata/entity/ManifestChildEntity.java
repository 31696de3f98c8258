package io.berth.metadata.entity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;

/** A manifest that an index references, by digest, in the index's repository. */
@Entity
@Table(name = "manifest_child")
public class ManifestChildEntity extends PanacheEntityBase {

    @EmbeddedId
    public Key key;

    /** Index and child digest. */
    @Embeddable
    public record Key(@Column(name = "manifest_id") Long manifestId, @Column(name = "child_digest") String childDigest)
            implements Serializable {
    }
}
