package io.berth.metadata.repository;

import io.berth.metadata.entity.AccountEntity;
import io.berth.metadata.entity.NamespaceEntity;
import io.berth.metadata.entity.NamespaceMemberEntity;
import io.berth.metadata.entity.RobotPermissionEntity;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Accounts by name, and what they hold: memberships, robot permissions. */
@ApplicationScoped
public class AccountRepository implements PanacheRepositoryBase<AccountEntity, Long> {

    /** A namespace an account may use, with the role or robot actions that say how. */
    public record NamespaceGrant(String namespace, String roleOrActions) {
    }

    public Optional<AccountEntity> findByName(String name) {
        return find("name", name).firstResultOptional();
    }

    public List<AccountEntity> listByKind(String kind) {
        return list("kind = ?1 order by name", kind);
    }

    /**
     * Returns the names of the users who are administrators and locks their rows until the transaction ends.
     * A second transaction that asks meanwhile waits, then sees what the first committed: of two concurrent
     * demotions of the last two administrators, the second counts one administrator, not two.
     */
    @SuppressWarnings("unchecked")
    public List<String> lockAdministrators() {
        return getEntityManager().createNativeQuery("""
                        select name from account where kind = ?1 and administrator order by id for update""", String.class)
                .setParameter(1, AccountEntity.USER)
                .getResultList();
    }

    /** Returns the account's roles in namespaces: {@code (namespace, role)} pairs. */
    public List<NamespaceGrant> memberships(long accountId) {
        return getEntityManager().createQuery("""
                        select new io.berth.metadata.repository.AccountRepository$NamespaceGrant(n.name, m.role)
                        from NamespaceMemberEntity m, NamespaceEntity n
                        where m.key.namespaceId = n.id and m.key.accountId = :account
                        order by n.name""", NamespaceGrant.class)
                .setParameter("account", accountId)
                .getResultList();
    }

    /** Returns a robot's permissions: {@code (namespace, "pull,push")} pairs. */
    public List<NamespaceGrant> robotPermissions(long accountId) {
        return RobotPermissionEntity.<RobotPermissionEntity>list("key.accountId = ?1 order by key.namespace", accountId)
                .stream()
                .map(p -> new NamespaceGrant(p.key.namespace(), p.actions))
                .toList();
    }

    /** Replaces a robot's permissions. */
    public void replaceRobotPermissions(long accountId, List<NamespaceGrant> permissions) {
        RobotPermissionEntity.delete("key.accountId = ?1", accountId);
        getEntityManager().flush();
        for (NamespaceGrant permission : permissions) {
            RobotPermissionEntity entity = new RobotPermissionEntity();
            entity.key = new RobotPermissionEntity.Key(accountId, permission.namespace());
            entity.actions = permission.roleOrActions();
            entity.persist();
        }
    }

    /**
     * Replaces the memberships an identity provider granted to an account with the given ones; roles
     * granted through Berth itself stay.
     */
    public void replaceProvidedMemberships(long accountId, String provider, List<NamespaceGrant> grants) {
        NamespaceMemberEntity.delete("key.accountId = ?1 and grantedBy = ?2", accountId, provider);
        getEntityManager().flush();
        for (NamespaceGrant grant : grants) {
            Optional<NamespaceEntity> namespace = NamespaceEntity.find("name", grant.namespace()).firstResultOptional();
            if (namespace.isEmpty()
                    || NamespaceMemberEntity.findById(new NamespaceMemberEntity.Key(namespace.get().id, accountId)) != null) {
                continue;
            }
            NamespaceMemberEntity member = new NamespaceMemberEntity();
            member.key = new NamespaceMemberEntity.Key(namespace.get().id, accountId);
            member.role = grant.roleOrActions();
            member.grantedBy = provider;
            member.persist();
        }
    }

    /** Records that an account was used now; at most once a minute, so hot paths do not write on every request. */
    public void touch(long accountId, Instant now) {
        getEntityManager().createNativeQuery("""
                        update account set last_used_at = cast(?2 as timestamptz)
                        where id = ?1 and (last_used_at is null or last_used_at < cast(?2 as timestamptz) - interval '1 minute')""")
                .setParameter(1, accountId)
                .setParameter(2, now)
                .executeUpdate();
    }
}
