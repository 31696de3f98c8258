package io.berth.auth;

import static io.berth.auth.AccountNames.requireName;

import io.berth.metadata.entity.AccountEntity;
import io.berth.metadata.entity.NamespaceEntity;
import io.berth.metadata.repository.AccountRepository;
import io.berth.metadata.repository.NamespaceRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Organizations: shared namespaces, and the roles their members (users or robots) have in them, as the
 * admin API manages them. An organization's name is taken by no user, since each user has a namespace
 * of its own name.
 *
 * <p>Every method runs in one transaction, checks its input, and either does all it says or nothing:
 * it then throws an {@link AccountException} (not found, conflict or invalid). A change that affects
 * logins already checked (a deletion, a member's role) fires {@link AccountsChanged} so that remembered
 * logins are forgotten.
 */
@ApplicationScoped
public class OrganizationService {

    private static final Logger LOG = Logger.getLogger(OrganizationService.class);

    private final AccountRepository accounts;
    private final NamespaceRepository namespaces;
    private final Event<AccountsChanged> changed;

    public OrganizationService(AccountRepository accounts, NamespaceRepository namespaces, Event<AccountsChanged> changed) {
        this.accounts = accounts;
        this.namespaces = namespaces;
        this.changed = changed;
    }

    /** An organization with its members. */
    public record Organization(String name, boolean isPublic, List<NamespaceRepository.Member> members) {
    }

    /** Creates an organization, private and without members; the name must be taken by no user and no organization. */
    @Transactional
    public Organization createOrganization(String name) {
        requireName("organization", name);
        AccountNames.requireFree(accounts, namespaces, name);
        NamespaceEntity namespace = new NamespaceEntity();
        namespace.name = name;
        namespace.kind = NamespaceEntity.ORGANIZATION;
        namespaces.persistAndFlush(namespace);
        LOG.infof("Created organization %s", name);
        return organization(namespace);
    }

    /** Whether a user administers a namespace: an organization's {@code admin} member, or the user whose namespace it is. */
    @Transactional
    public boolean administers(String account, String namespace) {
        return namespaces.administeredBy(namespace, account);
    }

    /** Returns every organization with its members. */
    @Transactional
    public List<Organization> listOrganizations() {
        return namespaces.listByKind(NamespaceEntity.ORGANIZATION).stream().map(this::organization).toList();
    }

    /** Returns the named organization with its members. */
    @Transactional
    public Organization getOrganization(String name) {
        return organization(findOrganization(name));
    }

    /** Deletes an organization and its memberships; its repositories stay, reachable by administrators only. */
    @Transactional
    public void deleteOrganization(String name) {
        changed.fire(new AccountsChanged("deleted organization"));
        namespaces.delete(findOrganization(name));
        LOG.infof("Deleted organization %s; its repositories are now reachable by administrators only", name);
    }

    /**
     * Gives an account (a user or a robot) the role in the organization, replacing any role it had
     * there, and returns the organization as it now stands.
     */
    @Transactional
    public Organization putMember(String organization, String user, Role role) {
        changed.fire(new AccountsChanged("member"));
        NamespaceEntity namespace = findOrganization(organization);
        AccountEntity account = accounts.findByName(user).orElseThrow(() -> AccountException.notFound("account", user));
        namespaces.putMember(namespace.id, account.id, role.wireName());
        accounts.flush();
        LOG.infof("%s is now %s of %s", user, role.wireName(), organization);
        return organization(namespace);
    }

    /** Removes an account from the organization; not found if it was no member. */
    @Transactional
    public void removeMember(String organization, String user) {
        changed.fire(new AccountsChanged("member"));
        NamespaceEntity namespace = findOrganization(organization);
        AccountEntity account = accounts.findByName(user).orElseThrow(() -> AccountException.notFound("account", user));
        if (!namespaces.removeMember(namespace.id, account.id)) {
            throw AccountException.notFound("member", user + " of " + organization);
        }
    }

    private NamespaceEntity findOrganization(String name) {
        return namespaces.findByName(name).filter(n -> NamespaceEntity.ORGANIZATION.equals(n.kind))
                .orElseThrow(() -> AccountException.notFound("organization", name));
    }

    private Organization organization(NamespaceEntity namespace) {
        return new Organization(namespace.name, namespace.isPublic, namespaces.members(namespace.id));
    }
}
