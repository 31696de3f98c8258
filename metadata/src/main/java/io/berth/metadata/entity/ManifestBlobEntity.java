package io.berth.metadata.entity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;

/** A config or layer blob that a manifest references. */
@Entity
@Table(name = "manifest_blob")
public class ManifestBlobEntity extends PanacheEntityBase {

    @EmbeddedId
    public Key key;

    /** Manifest and blob. */
    @Embeddable
    public record Key(@Column(name = "manifest_id") Long manifestId, @Column(name = "blob_digest") String blobDigest)
            implements Serializable {
    }
}
