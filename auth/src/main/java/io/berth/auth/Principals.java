package io.berth.auth;

import io.berth.metadata.entity.AccountEntity;
import io.berth.metadata.entity.NamespaceEntity;
import io.berth.metadata.repository.AccountRepository;
import io.berth.metadata.repository.AccountRepository.NamespaceGrant;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Builds a {@link Principal} from an account's rows: its own namespace, its roles, a robot's permissions. */
@ApplicationScoped
public class Principals {

    private final AccountRepository accounts;

    public Principals(AccountRepository accounts) {
        this.accounts = accounts;
    }

    /**
     * Returns the principal of the account named {@code name} as it is now (what a token's subject holds
     * at the moment of the request), or {@link Principal#ANONYMOUS} when there is no such account.
     */
    public Principal named(String name) {
        return QuarkusTransaction.joiningExisting().call(() ->
                accounts.findByName(name).map(this::of).orElse(Principal.ANONYMOUS));
    }

    /** Loads what the account holds; call inside a transaction. */
    public Principal of(AccountEntity account) {
        Map<String, Set<Action>> namespaces = new HashMap<>();
        if (account.isRobot()) {
            for (NamespaceGrant permission : accounts.robotPermissions(account.id)) {
                namespaces.put(permission.namespace(), Action.parseList(permission.roleOrActions()));
            }
        } else {
            NamespaceEntity.<NamespaceEntity>list("ownerAccountId", account.id)
                    .forEach(own -> namespaces.put(own.name, Action.ALL));
            for (NamespaceGrant membership : accounts.memberships(account.id)) {
                Set<Action> actions = Role.fromWireName(membership.roleOrActions()).map(Role::actions).orElse(Set.of());
                namespaces.merge(membership.namespace(), actions, Principals::union);
            }
        }
        return new Principal(account.name, account.isRobot() ? Principal.Kind.ROBOT : Principal.Kind.USER,
                Optional.of(account.id), account.administrator, namespaces, Optional.ofNullable(account.expiresAt));
    }

    private static Set<Action> union(Set<Action> a, Set<Action> b) {
        EnumSet<Action> both = EnumSet.noneOf(Action.class);
        both.addAll(a);
        both.addAll(b);
        return both;
    }
}
