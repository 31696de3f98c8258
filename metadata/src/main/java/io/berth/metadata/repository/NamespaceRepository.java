package io.berth.metadata.repository;

import io.berth.metadata.entity.NamespaceEntity;
import io.berth.metadata.entity.NamespaceMemberEntity;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;

/** Namespaces (personal and organizations), their members and their visibility. */
@ApplicationScoped
public class NamespaceRepository implements PanacheRepositoryBase<NamespaceEntity, Long> {

    /** A member of a namespace. */
    public record Member(String account, String role, String grantedBy) {
    }

    public Optional<NamespaceEntity> findByName(String name) {
        return find("name", name).firstResultOptional();
    }

    public List<NamespaceEntity> listByKind(String kind) {
        return list("kind = ?1 order by name", kind);
    }

    public List<Member> members(long namespaceId) {
        return getEntityManager().createQuery("""
                        select new io.berth.metadata.repository.NamespaceRepository$Member(a.name, m.role, m.grantedBy)
                        from NamespaceMemberEntity m, AccountEntity a
                        where m.key.accountId = a.id and m.key.namespaceId = :namespace
                        order by a.name""", Member.class)
                .setParameter("namespace", namespaceId)
                .getResultList();
    }

    /** Gives an account a role in a namespace, replacing the role it had. */
    public void putMember(long namespaceId, long accountId, String role) {
        NamespaceMemberEntity.Key key = new NamespaceMemberEntity.Key(namespaceId, accountId);
        NamespaceMemberEntity member = NamespaceMemberEntity.findById(key);
        if (member == null) {
            member = new NamespaceMemberEntity();
            member.key = key;
            member.role = role;
            member.persist();
        } else {
            member.role = role;
            member.grantedBy = io.berth.metadata.entity.AccountEntity.LOCAL;
        }
    }

    /**
     * Whether the user {@code account} administers the namespace: an {@code admin} member of an
     * organization, or the user whose own namespace it is. Robots administer nothing.
     */
    public boolean administeredBy(String namespace, String account) {
        return !getEntityManager().createNativeQuery("""
                        select 1 from namespace n join account a on a.name = ?2 and a.kind = 'user'
                        where n.name = ?1 and (n.owner_account_id = a.id
                              or exists (select 1 from namespace_member m
                                         where m.namespace_id = n.id and m.account_id = a.id and m.role = 'admin'))""")
                .setParameter(1, namespace)
                .setParameter(2, account)
                .getResultList().isEmpty();
    }

    /** Removes an account from a namespace; returns false if it was not a member. */
    public boolean removeMember(long namespaceId, long accountId) {
        return NamespaceMemberEntity.deleteById(new NamespaceMemberEntity.Key(namespaceId, accountId));
    }
}
