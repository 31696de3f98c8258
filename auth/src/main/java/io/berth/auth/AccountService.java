package io.berth.auth;

import io.berth.metadata.entity.AccountEntity;
import io.berth.metadata.entity.NamespaceEntity;
import io.berth.metadata.repository.AccountRepository;
import io.berth.metadata.repository.AccountRepository.NamespaceGrant;
import io.berth.metadata.repository.NamespaceRepository;
import io.berth.metadata.repository.RefreshTokenRepository;
import io.berth.metadata.repository.RepositoryRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Users, organizations, their members, robots and visibility: what the admin API manages. Every
 * method checks its input and either does all it says or nothing ({@link AccountException}).
 */
@ApplicationScoped
public class AccountService {

    private static final Logger LOG = Logger.getLogger(AccountService.class);

    /** A user, organization or robot name: one repository name component, lower case. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    /** Robots are named {@code robot+<name>}: no user or namespace can have a '+' in its name. */
    public static final String ROBOT_PREFIX = "robot+";
    private static final int MIN_PASSWORD_LENGTH = 8;

    private final AccountRepository accounts;
    private final NamespaceRepository namespaces;
    private final RepositoryRepository repositories;
    private final RefreshTokenRepository refreshTokens;
    private final PasswordHasher hasher;
    private final Principals principals;
    private final jakarta.enterprise.event.Event<AccountsChanged> changed;
    private final SecureRandom random = new SecureRandom();

    public AccountService(AccountRepository accounts, NamespaceRepository namespaces, RepositoryRepository repositories,
            RefreshTokenRepository refreshTokens, PasswordHasher hasher, Principals principals,
            jakarta.enterprise.event.Event<AccountsChanged> changed) {
        this.changed = changed;
        this.accounts = accounts;
        this.namespaces = namespaces;
        this.repositories = repositories;
        this.refreshTokens = refreshTokens;
        this.hasher = hasher;
        this.principals = principals;
    }

    /** A user as the admin API shows it. */
    public record User(String name, boolean administrator, String identityProvider, Optional<Instant> lastUsedAt,
            Instant createdAt) {
    }

    /** An organization with its members. */
    public record Organization(String name, boolean isPublic, List<NamespaceRepository.Member> members) {
    }

    /** A robot as listed, with its actions per namespace ({@code pull}, {@code push}, {@code delete}); never its secret. */
    public record Robot(String name, String description, Map<String, List<String>> permissions, Optional<Instant> expiresAt,
            Optional<Instant> lastUsedAt, Instant createdAt) {
    }

    /** A robot right after it was created or given a new secret: the only time the secret is shown. */
    public record RobotCredentials(Robot robot, String secret) {
    }

    // ---- users ------------------------------------------------------------------------------------

    @Transactional
    public User createUser(String name, String password, boolean administrator) {
        requireName("user", name);
        requirePassword(password);
        if (accounts.findByName(name).isPresent() || namespaces.findByName(name).isPresent()) {
            throw AccountException.conflict("the name " + name + " is taken by a user or an organization");
        }
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

    @Transactional
    public List<User> listUsers() {
        return accounts.listByKind(AccountEntity.USER).stream().map(AccountService::user).toList();
    }

    @Transactional
    public User getUser(String name) {
        return user(findUser(name));
    }

    @Transactional
    public void deleteUser(String name) {
        changed.fire(new AccountsChanged("deleted user"));
        AccountEntity account = findUser(name);
        accounts.delete(account);
        LOG.infof("Deleted user %s; repositories in its namespace are now reachable by administrators only", name);
    }

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

    @Transactional
    public User setAdministrator(String name, boolean administrator) {
        changed.fire(new AccountsChanged("administrator"));
        AccountEntity account = findUser(name);
        account.administrator = administrator;
        return user(account);
    }

    /** Returns whether any administrator exists. */
    @Transactional
    public boolean hasAdministrator() {
        return accounts.count("administrator = true and kind = ?1", AccountEntity.USER) > 0;
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

    // ---- organizations ------------------------------------------------------------------------------

    @Transactional
    public Organization createOrganization(String name) {
        requireName("organization", name);
        if (accounts.findByName(name).isPresent() || namespaces.findByName(name).isPresent()) {
            throw AccountException.conflict("the name " + name + " is taken by a user or an organization");
        }
        NamespaceEntity namespace = new NamespaceEntity();
        namespace.name = name;
        namespace.kind = NamespaceEntity.ORGANIZATION;
        namespaces.persistAndFlush(namespace);
        LOG.infof("Created organization %s", name);
        return organization(namespace);
    }

    @Transactional
    public List<Organization> listOrganizations() {
        return namespaces.listByKind(NamespaceEntity.ORGANIZATION).stream().map(this::organization).toList();
    }

    @Transactional
    public Organization getOrganization(String name) {
        return organization(findOrganization(name));
    }

    @Transactional
    public void deleteOrganization(String name) {
        changed.fire(new AccountsChanged("deleted organization"));
        namespaces.delete(findOrganization(name));
        LOG.infof("Deleted organization %s; its repositories are now reachable by administrators only", name);
    }

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

    @Transactional
    public void removeMember(String organization, String user) {
        changed.fire(new AccountsChanged("member"));
        NamespaceEntity namespace = findOrganization(organization);
        AccountEntity account = accounts.findByName(user).orElseThrow(() -> AccountException.notFound("account", user));
        if (!namespaces.removeMember(namespace.id, account.id)) {
            throw AccountException.notFound("member", user + " of " + organization);
        }
    }

    /** Makes a namespace (an organization or a user's own) public or private. */
    @Transactional
    public void setNamespacePublic(String name, boolean isPublic) {
        NamespaceEntity namespace = namespaces.findByName(name).orElseThrow(() -> AccountException.notFound("namespace", name));
        namespace.isPublic = isPublic;
        LOG.infof("Namespace %s is now %s", name, isPublic ? "public" : "private");
    }

    /** Makes one repository public or private. */
    @Transactional
    public void setRepositoryPublic(String name, boolean isPublic) {
        if (!repositories.setPublic(name, isPublic)) {
            throw AccountException.notFound("repository", name);
        }
        LOG.infof("Repository %s is now %s", name, isPublic ? "public" : "private");
    }

    /** Returns whether a repository is public by itself or through its namespace. */
    @Transactional
    public boolean isRepositoryPublic(String name) {
        if (repositories.findIdByName(name).isEmpty()) {
            throw AccountException.notFound("repository", name);
        }
        return repositories.isPublic(name);
    }

    // ---- robots -------------------------------------------------------------------------------------

    /**
     * Creates a robot {@code robot+<name>} allowed the given actions in the given namespaces, and returns
     * its secret: the only time it is shown.
     */
    @Transactional
    public RobotCredentials createRobot(String name, String description, Map<String, Set<Action>> permissions,
            Optional<Instant> expiresAt) {
        requireName("robot", name);
        if (permissions.isEmpty()) {
            throw AccountException.invalid("a robot needs at least one namespace to work in");
        }
        permissions.forEach((namespace, actions) -> {
            requireName("namespace", namespace);
            if (actions.isEmpty()) {
                throw AccountException.invalid("no actions given for namespace " + namespace);
            }
        });
        if (expiresAt.isPresent() && !expiresAt.get().isAfter(Instant.now())) {
            throw AccountException.invalid("the expiry " + expiresAt.get() + " is in the past");
        }
        String fullName = ROBOT_PREFIX + name;
        if (accounts.findByName(fullName).isPresent()) {
            throw AccountException.conflict("robot " + fullName + " exists");
        }
        String secret = newSecret();
        AccountEntity robot = new AccountEntity();
        robot.name = fullName;
        robot.kind = AccountEntity.ROBOT;
        robot.passwordHash = hasher.hash(secret);
        robot.description = description;
        robot.expiresAt = expiresAt.orElse(null);
        accounts.persistAndFlush(robot);
        accounts.replaceRobotPermissions(robot.id, permissions.entrySet().stream()
                .map(p -> new NamespaceGrant(p.getKey(), Action.format(p.getValue())))
                .toList());
        LOG.infof("Created robot %s for %s%s", fullName, permissions.keySet(),
                expiresAt.map(e -> ", expiring " + e).orElse(""));
        return new RobotCredentials(robot(robot), secret);
    }

    @Transactional
    public List<Robot> listRobots() {
        return accounts.listByKind(AccountEntity.ROBOT).stream().map(this::robot).toList();
    }

    @Transactional
    public Robot getRobot(String fullName) {
        return robot(findRobot(fullName));
    }

    @Transactional
    public void deleteRobot(String fullName) {
        changed.fire(new AccountsChanged("deleted robot"));
        accounts.delete(findRobot(fullName));
        LOG.infof("Deleted robot %s", fullName);
    }

    /** Replaces a robot's secret; the old one stops working at once (after the credential cache's TTL elsewhere). */
    @Transactional
    public RobotCredentials regenerateSecret(String fullName) {
        changed.fire(new AccountsChanged("robot secret"));
        AccountEntity robot = findRobot(fullName);
        String secret = newSecret();
        robot.passwordHash = hasher.hash(secret);
        refreshTokens.revokeAll(robot.id);
        LOG.infof("Gave robot %s a new secret", fullName);
        return new RobotCredentials(robot(robot), secret);
    }

    // ---- helpers ------------------------------------------------------------------------------------

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

    /** Finds a robot by its full name ({@code robot+ci}) or its short one ({@code ci}). */
    private AccountEntity findRobot(String name) {
        String fullName = name.startsWith(ROBOT_PREFIX) ? name : ROBOT_PREFIX + name;
        return accounts.findByName(fullName).filter(AccountEntity::isRobot)
                .orElseThrow(() -> AccountException.notFound("robot", fullName));
    }

    private NamespaceEntity findOrganization(String name) {
        return namespaces.findByName(name).filter(n -> NamespaceEntity.ORGANIZATION.equals(n.kind))
                .orElseThrow(() -> AccountException.notFound("organization", name));
    }

    private static User user(AccountEntity account) {
        return new User(account.name, account.administrator, account.identityProvider,
                Optional.ofNullable(account.lastUsedAt), account.createdAt);
    }

    private Organization organization(NamespaceEntity namespace) {
        return new Organization(namespace.name, namespace.isPublic, namespaces.members(namespace.id));
    }

    private Robot robot(AccountEntity robot) {
        Map<String, List<String>> permissions = new java.util.TreeMap<>();
        accounts.robotPermissions(robot.id).forEach(p -> permissions.put(p.namespace(),
                Action.parseList(p.roleOrActions()).stream().sorted().map(Action::wireName).toList()));
        return new Robot(robot.name, robot.description, permissions, Optional.ofNullable(robot.expiresAt),
                Optional.ofNullable(robot.lastUsedAt), robot.createdAt);
    }

    private static void requireName(String what, String name) {
        if (name == null || name.length() > 255 || !NAME.matcher(name).matches()) {
            throw AccountException.invalid("invalid " + what + " name '" + name
                    + "': lower-case letters and digits, separated by '.', '_', '__' or '-'");
        }
    }

    private static void requirePassword(String password) {
        if (password == null || password.length() < MIN_PASSWORD_LENGTH) {
            throw AccountException.invalid("a password needs at least " + MIN_PASSWORD_LENGTH + " characters");
        }
        if (!PasswordHasher.fits(password)) {
            throw AccountException.invalid("a password may be at most 72 bytes long (bcrypt ignores the rest)");
        }
    }

    private String newSecret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
