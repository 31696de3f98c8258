package io.berth.auth;

import static io.berth.auth.AccountNames.requireName;

import io.berth.metadata.entity.AccountEntity;
import io.berth.metadata.repository.AccountRepository;
import io.berth.metadata.repository.AccountRepository.NamespaceGrant;
import io.berth.metadata.repository.RefreshTokenRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * Robots: accounts for CI pipelines, named {@code robot+<name>}, allowed chosen actions in chosen
 * namespaces, optionally until an expiry, and logging in with a generated secret. The secret is
 * returned only when the robot is created or given a new one; Berth keeps only its bcrypt hash.
 * Methods that take a robot's name accept its full name ({@code robot+ci}) or its short one ({@code ci}).
 *
 * <p>Every method runs in one transaction, checks its input, and either does all it says or nothing:
 * it then throws an {@link AccountException} (not found, conflict or invalid). A change that affects
 * logins already checked (a deletion, a new secret) fires {@link AccountsChanged} so that remembered
 * logins are forgotten.
 */
@ApplicationScoped
public class RobotService {

    private static final Logger LOG = Logger.getLogger(RobotService.class);

    /** Robots are named {@code robot+<name>}: no user or namespace can have a '+' in its name. */
    public static final String ROBOT_PREFIX = "robot+";

    /**
     * The latest expiry a robot may have. Instant reaches the year 1000000000, which neither epoch
     * milliseconds nor PostgreSQL's timestamp can hold; four-digit years are what ISO-8601 clients write.
     */
    static final Instant LATEST_EXPIRY = Instant.parse("9999-12-31T23:59:59Z");

    private final AccountRepository accounts;
    private final RefreshTokenRepository refreshTokens;
    private final PasswordHasher hasher;
    private final Event<AccountsChanged> changed;
    private final SecureRandom random = new SecureRandom();

    public RobotService(AccountRepository accounts, RefreshTokenRepository refreshTokens, PasswordHasher hasher,
            Event<AccountsChanged> changed) {
        this.accounts = accounts;
        this.refreshTokens = refreshTokens;
        this.hasher = hasher;
        this.changed = changed;
    }

    /** A robot as listed, with its actions per namespace ({@code pull}, {@code push}, {@code delete}); never its secret. */
    public record Robot(String name, String description, Map<String, List<String>> permissions, Optional<Instant> expiresAt,
            Optional<Instant> lastUsedAt, Instant createdAt) {
    }

    /** A robot right after it was created or given a new secret: the only time the secret is shown. */
    public record RobotCredentials(Robot robot, String secret) {
    }

    /**
     * Creates a robot {@code robot+<name>} allowed the given actions in the given namespaces, and returns
     * its secret: the only time it is shown.
     */
    @Transactional
    public RobotCredentials createRobot(String name, String description, Map<String, Set<Action>> permissions,
            Optional<Instant> expiresAt) {
        // First: an expiry no column holds is refused whatever else the request gets wrong.
        if (expiresAt.isPresent() && expiresAt.get().isAfter(LATEST_EXPIRY)) {
            throw AccountException.invalid("expiresAt " + expiresAt.get() + " is too far ahead; give an instant before "
                    + "the year 10000");
        }
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

    /** Returns every robot, without secrets. */
    @Transactional
    public List<Robot> listRobots() {
        return accounts.listByKind(AccountEntity.ROBOT).stream().map(this::robot).toList();
    }

    /** Returns the named robot, without its secret. */
    @Transactional
    public Robot getRobot(String fullName) {
        return robot(findRobot(fullName));
    }

    /** Deletes a robot with its permissions; its secret stops working (elsewhere after the credential cache's TTL). */
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

    /** Finds a robot by its full name ({@code robot+ci}) or its short one ({@code ci}). */
    private AccountEntity findRobot(String name) {
        String fullName = name.startsWith(ROBOT_PREFIX) ? name : ROBOT_PREFIX + name;
        return accounts.findByName(fullName).filter(AccountEntity::isRobot)
                .orElseThrow(() -> AccountException.notFound("robot", fullName));
    }

    private Robot robot(AccountEntity robot) {
        Map<String, List<String>> permissions = new TreeMap<>();
        accounts.robotPermissions(robot.id).forEach(p -> permissions.put(p.namespace(),
                Action.parseList(p.roleOrActions()).stream().sorted().map(Action::wireName).toList()));
        return new Robot(robot.name, robot.description, permissions, Optional.ofNullable(robot.expiresAt),
                Optional.ofNullable(robot.lastUsedAt), robot.createdAt);
    }

    private String newSecret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
