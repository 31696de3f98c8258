package io.berth.metadata.entity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;

/** An account's role in a namespace: {@code read}, {@code write}, {@code delete} or {@code admin}. */
@Entity
@Table(name = "namespace_member")
public class NamespaceMemberEntity extends PanacheEntityBase {

    @EmbeddedId
    public Key key;

    @Column(nullable = false)
    public String role;

    /** {@code local}, or the identity provider whose groups granted the role (and may take it back). */
    @Column(name = "granted_by", nullable = false)
    public String grantedBy = AccountEntity.LOCAL;

    /** Namespace and account. */
    @Embeddable
    public record Key(@Column(name = "namespace_id") Long namespaceId, @Column(name = "account_id") Long accountId)
            implements Serializable {
    }
}
