package io.berth.auth;

import static io.berth.auth.AccountNames.requireName;

import io.berth.metadata.entity.AccountEntity;
import io.berth.metadata.entity.NamespaceEntity;
import io.berth.metadata.repository.AccountRepository;
import io.berth.metadata.repository.AccountRepository.NamespaceGrant;
import io.berth.metadata.repository.NamespaceRepository;
import io.berth.metadata.repository.RefreshTokenRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Users: the local users the admin API manages (created, listed, deleted, given a password or the
 * administrator role), and the users an external identity provider vouches for, recorded on their
 * first login. Every user has a personal namespace of its own name, created with it. Robots are not
 * users here ({@link RobotService}).
 *
 * <p>Every method runs in one transaction, checks its input, and either does all it says or nothing:
 * it then throws an {@link AccountException} (not found, conflict or invalid), or an
 * {@link AuthenticationFailedException} for an external login that cannot be recorded. A change that
 * affects logins already checked (a deletion, a password, the administrator role) fires
 * {@link AccountsChanged} so that remembered logins are forgotten.
 *
 * <p>The registry never loses its last administrator through this service: taking the role from it, or
 * deleting it, is refused, since nobody could call the admin API afterwards.
 */
@ApplicationScoped
public class UserService {

    private static final Logger LOG = Logger.getLogger(UserService.class);

    private static final int MIN_PASSWORD_LENGTH = 8;

    private final AccountRepository accounts;
    private final NamespaceRepository namespaces;
    private final RefreshTokenRepository refreshTokens;
    private final PasswordHasher hasher;
    private final Principals principals;
    private final Event<AccountsChanged> changed;

    public UserService(AccountRepository accounts, NamespaceRepository namespaces, RefreshTokenRepository refreshTokens,
            PasswordHasher hasher, Principals principals, Event<AccountsChanged> changed) {
        this.accounts = accounts;
        this.namespaces = namespaces;
        this.refreshTokens = refreshTokens;
        this.hasher = hasher;
        this.principals = principals;
        this.changed = changed;
    }

    /** A user as the admin API shows it. */
    public record User(String name, boolean administrator, String identityProvider, Optional<Instant> lastUsedAt,
            Instant createdAt) {
    }

    /**
     * Creates a local user with the given password and its personal namespace; the name must be taken
     * by no user and no organization.
     */
    @Transactional
    public User createUser(String name, String password, boolean administrator) {
        requireName("user", name);
        requirePassword(password);
        AccountNames.requireFree(accounts, namespaces, name);
        AccountEntity account = new AccountEntity();
        account.name = name;
        account.kind = AccountEntity.USER;
        account.passwordHash = hasher.hash(password);
        account.administrator = administrator;
        accounts.persistAndFlush(account);
        createPersonalNamespace(account);
        LOG.infof("Created user %s%s", name, administrator ? " (administrator)" : "");
        return user(accounts.findById(account.id));
    }

    /** Returns every user, local or external; never a robot. */
    @Transactional
    public List<User> listUsers() {
        return accounts.listByKind(AccountEntity.USER).stream().map(UserService::user).toList();
    }

    /** Returns the named user. */
    @Transactional
    public User getUser(String name) {
        return user(findUser(name));
    }

    /**
     * Deletes a user with its personal namespace row; repositories in that namespace stay, reachable by
     * administrators only. The last administrator cannot be deleted.
     */
    @Transactional
    public void deleteUser(String name) {
        changed.fire(new AccountsChanged("deleted user"));
        requireAnotherAdministrator(name, "deleted");
        AccountEntity account = findUser(name);
        accounts.delete(account);
        LOG.infof("Deleted user %s; repositories in its namespace are now reachable by administrators only", name);
    }

    /**
     * Sets a local user's password and revokes its refresh tokens; a user of an external identity
     * provider has its password there and cannot be given one.
     */
    @Transactional
    public void setPassword(String name, String password) {
        changed.fire(new AccountsChanged("password"));
        requirePassword(password);
        AccountEntity account = findUser(name);
        if (!AccountEntity.LOCAL.equals(account.identityProvider)) {
            throw AccountException.invalid(name + "'s password is kept by " + account.identityProvider);
        }
        account.passwordHash = hasher.hash(password);
        refreshTokens.revokeAll(account.id);
        LOG.infof("Changed the password of %s and revoked its refresh tokens", name);
    }

    /**
     * Makes a user an administrator, or not, and returns it as it now stands. The last administrator
     * keeps the role.
     */
    @Transactional
    public User setAdministrator(String name, boolean administrator) {
        changed.fire(new AccountsChanged("administrator"));
        if (!administrator) {
            requireAnotherAdministrator(name, "demoted");
        }
        AccountEntity account = findUser(name);
        account.administrator = administrator;
        return user(account);
    }

    /** Returns whether any administrator exists. */
    @Transactional
    public boolean hasAdministrator() {
        return accounts.count("administrator = true and kind = ?1", AccountEntity.USER) > 0;
    }

    /** What {@link #restoreAdministrator} did. */
    public enum Restoration {
        /** An administrator existed already, perhaps restored by another replica a moment before. */
        NOT_NEEDED,
        /** The user did not exist and was created as an administrator. */
        CREATED,
        /** The existing user was made an administrator again and given the password. */
        RESTORED
    }

    /**
     * Gives the registry an administrator again when it has none: the named local user, created with its
     * personal namespace when missing, otherwise made an administrator with the given password (its refresh
     * tokens revoked). The administrators' rows are locked first, so two replicas starting together restore
     * once; an account of an external identity provider, or an organization of that name, is a conflict.
     */
    @Transactional
    public Restoration restoreAdministrator(String name, String password) {
        if (!accounts.lockAdministrators().isEmpty()) {
            return Restoration.NOT_NEEDED;
        }
        Optional<AccountEntity> existing = accounts.findByName(name);
        if (existing.isEmpty()) {
            createUser(name, password, true);
            return Restoration.CREATED;
        }
        AccountEntity account = existing.get();
        if (account.isRobot() || !AccountEntity.LOCAL.equals(account.identityProvider)) {
            throw AccountException.conflict(name + " is not a local user of Berth, so it cannot be given a password; "
                    + "set berth.admin.username to another name to restore an administrator");
        }
        requirePassword(password);
        changed.fire(new AccountsChanged("restored administrator"));
        account.passwordHash = hasher.hash(password);
        account.administrator = true;
        refreshTokens.revokeAll(account.id);
        return Restoration.RESTORED;
    }

    /**
     * Creates or updates the account of a user an external identity provider vouched for: created with a
     * personal namespace when first seen, its provider-granted roles replaced by the provider's current ones.
     */
    @Transactional
    public Principal syncExternal(ExternalIdentity identity) {
        requireName("user", identity.username());
        AccountEntity account = accounts.findByName(identity.username()).orElse(null);
        if (account == null) {
            if (namespaces.findByName(identity.username()).isPresent()) {
                throw new AuthenticationFailedException("the name " + identity.username() + " is taken by an organization");
            }
            account = new AccountEntity();
            account.name = identity.username();
            account.kind = AccountEntity.USER;
            account.identityProvider = identity.provider();
            accounts.persistAndFlush(account);
            createPersonalNamespace(account);
            LOG.infof("Created user %s on first login through %s", account.name, identity.provider());
        } else if (!identity.provider().equals(account.identityProvider)) {
            throw new AuthenticationFailedException(identity.username() + " is a local account, not one of " + identity.provider());
        }
        account.administrator = identity.administrator();
        account.lastUsedAt = Instant.now();
        accounts.replaceProvidedMemberships(account.id, identity.provider(), identity.roles().entrySet().stream()
                .map(role -> new NamespaceGrant(role.getKey(), role.getValue().wireName()))
                .toList());
        accounts.flush();
        return principals.of(account);
    }

    /**
     * Refuses to let the last administrator be demoted or deleted. The lock on the administrators' rows
     * makes concurrent requests take turns, so two of them cannot each leave the other administrator alone.
     */
    private void requireAnotherAdministrator(String name, String change) {
        List<String> administrators = accounts.lockAdministrators();
        if (administrators.size() == 1 && administrators.contains(name)) {
            throw AccountException.conflict(name + " is the last administrator and cannot be " + change
                    + ": without an administrator nobody may use the admin API. Make another user an administrator "
                    + "first (PUT /api/v1/users/{name}/administrator {\"administrator\":true}).");
        }
    }

    private void createPersonalNamespace(AccountEntity account) {
        NamespaceEntity personal = new NamespaceEntity();
        personal.name = account.name;
        personal.kind = NamespaceEntity.USER;
        personal.ownerAccountId = account.id;
        namespaces.persistAndFlush(personal);
    }

    private AccountEntity findUser(String name) {
        return accounts.findByName(name).filter(a -> !a.isRobot())
                .orElseThrow(() -> AccountException.notFound("user", name));
    }

    private static User user(AccountEntity account) {
        return new User(account.name, account.administrator, account.identityProvider,
                Optional.ofNullable(account.lastUsedAt), account.createdAt);
    }

    private static void requirePassword(String password) {
        if (password == null || password.length() < MIN_PASSWORD_LENGTH) {
            throw AccountException.invalid("a password needs at least " + MIN_PASSWORD_LENGTH + " characters");
        }
        if (!PasswordHasher.fits(password)) {
            throw AccountException.invalid("a password may be at most 72 bytes long (bcrypt ignores the rest)");
        }
    }
}
