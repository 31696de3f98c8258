package io.berth.auth;

import io.berth.metadata.entity.AccountEntity;
import io.berth.metadata.repository.AccountRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Turns a username and password into a {@link Principal}: a local user (bcrypt), a robot and its
 * secret, or a user of the external identity provider. Failures are counted per account and address, and
 * per address ({@link LoginThrottle}); successful checks are remembered briefly so that HTTP Basic on every request
 * does not pay for bcrypt each time.
 */
@ApplicationScoped
public class Authenticator {

    private static final Logger LOG = Logger.getLogger(Authenticator.class);
    /** Past this many remembered logins the memory is simply cleared: it is a cache, not a session store. */
    private static final int MAX_REMEMBERED = 10_000;

    private final AccountRepository accounts;
    private final Principals principals;
    private final PasswordHasher hasher;
    private final LoginThrottle throttle;
    private final UserService users;
    private final Instance<ExternalIdentityProvider> externalProviders;
    private final AuthConfig config;
    private final Map<String, Remembered> remembered = new ConcurrentHashMap<>();

    private record Remembered(Principal principal, Instant until) {
    }

    public Authenticator(AccountRepository accounts, Principals principals, PasswordHasher hasher, LoginThrottle throttle,
            UserService users, Instance<ExternalIdentityProvider> externalProviders, AuthConfig config) {
        this.accounts = accounts;
        this.principals = principals;
        this.hasher = hasher;
        this.throttle = throttle;
        this.users = users;
        this.externalProviders = externalProviders;
        this.config = config;
    }

    /**
     * Checks the credentials sent from {@code source} (an address) and returns who they identify.
     *
     * @throws AuthenticationFailedException when they identify nobody who may log in now
     * @throws LoginThrottledException when this account, or any account, failed too often from this address lately
     */
    public Principal authenticate(String username, String password, String source) {
        String rememberedKey = rememberedKey(username, password);
        Remembered known = remembered.get(rememberedKey);
        Instant now = Instant.now();
        if (known != null && known.until().isAfter(now) && notExpired(known.principal(), now)) {
            return known.principal();
        }
        throttle.check(username, source);
        Optional<Principal> principal;
        try {
            principal = check(username, password, now);
        } catch (AuthenticationFailedException e) {
            throttle.failed(username, source);
            throw e;
        }
        if (principal.isEmpty()) {
            throttle.failed(username, source);
            LOG.infof("Failed login for %s from %s", username, source);
            throw new AuthenticationFailedException("incorrect username or password");
        }
        throttle.succeeded(username, source);
        if (remembered.size() > MAX_REMEMBERED) {
            remembered.clear();
        }
        remembered.put(rememberedKey, new Remembered(principal.get(), now.plus(config.credentialCacheTtl())));
        return principal.get();
    }

    /** Returns the principal of an account by id, as it is now (for refresh tokens). */
    public Optional<Principal> reload(long accountId) {
        Instant now = Instant.now();
        return QuarkusTransaction.requiringNew().call(() -> accounts.findByIdOptional(accountId)
                .filter(account -> account.expiresAt == null || account.expiresAt.isAfter(now))
                .map(principals::of));
    }

    private Optional<Principal> check(String username, String password, Instant now) {
        Optional<AccountEntity> local = QuarkusTransaction.requiringNew().call(() -> accounts.findByName(username));
        if (local.isPresent() && local.get().passwordHash != null) {
            AccountEntity account = local.get();
            // bcrypt runs outside any transaction: no connection is held while it burns CPU.
            if (!hasher.matches(password, account.passwordHash)) {
                return Optional.empty();
            }
            if (account.expiresAt != null && !account.expiresAt.isAfter(now)) {
                LOG.infof("Refused login of %s: it expired at %s", account.name, account.expiresAt);
                throw new AuthenticationFailedException(account.name + " expired at " + account.expiresAt);
            }
            return Optional.of(QuarkusTransaction.requiringNew().call(() -> {
                accounts.touch(account.id, now);
                return principals.of(accounts.findById(account.id));
            }));
        }
        for (ExternalIdentityProvider provider : externalProviders) {
            if (provider.enabled()) {
                Optional<ExternalIdentity> identity = provider.authenticate(username, password);
                if (identity.isPresent()) {
                    return Optional.of(users.syncExternal(identity.get()));
                }
            }
        }
        return Optional.empty();
    }

    private static boolean notExpired(Principal principal, Instant now) {
        return principal.expiresAt().map(expiry -> expiry.isAfter(now)).orElse(true);
    }

    /** The cache key: a hash, so the memory never holds a password. */
    private static String rememberedKey(String username, String password) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(username.getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0);
            sha256.update(password.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha256.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Forgets remembered logins, so a changed password, role or robot takes effect at once on this replica. */
    void forgetRemembered(@jakarta.enterprise.event.Observes(during = jakarta.enterprise.event.TransactionPhase.AFTER_SUCCESS) AccountsChanged change) {
        remembered.clear();
    }
}
