package io.berth.auth;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.security.SecureRandom;
import java.util.Base64;
import org.jboss.logging.Logger;

/**
 * Gives the registry an administrator at start when it has none, so it can always be logged into and
 * managed. On a fresh registry that is {@code berth.admin.username} with the configured password
 * ({@code BERTH_ADMIN_PASSWORD}) or a generated one printed once. On a registry that has lost its
 * administrators (the admin API refuses to remove the last one, but a Keycloak login can take the role
 * away), {@code BERTH_ADMIN_PASSWORD} makes that user an administrator again with that password.
 */
@ApplicationScoped
public class AdminBootstrap {

    private static final Logger LOG = Logger.getLogger(AdminBootstrap.class);

    private final UserService users;
    private final AdminAccountConfig config;

    public AdminBootstrap(UserService users, AdminAccountConfig config) {
        this.users = users;
        this.config = config;
    }

    // After the metadata database is migrated (DatabaseStartup runs at PLATFORM_BEFORE).
    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE + 100) StartupEvent event) {
        ensureAdministrator();
    }

    /** Creates or restores the administrator when the registry has none; does nothing otherwise. */
    public void ensureAdministrator() {
        if (users.hasAdministrator()) {
            return;
        }
        boolean fresh = users.listUsers().isEmpty();
        try {
            if (config.password().isPresent()) {
                restore(config.password().get(), fresh);
            } else {
                createWithGeneratedPassword();
            }
        } catch (AccountException e) {
            if (e.reason() != AccountException.Reason.CONFLICT) {
                throw e;
            }
            if (users.hasAdministrator()) {
                // Another replica created it at the same moment.
                return;
            }
            // The registry still serves /v2; the warning tells the operator how to get an administrator back.
            LOG.warnf("The registry has no administrator, and none could be restored: %s", e.getMessage());
        }
    }

    private void restore(String password, boolean fresh) {
        switch (users.restoreAdministrator(config.username(), password)) {
            case NOT_NEEDED -> {
            }
            case CREATED -> {
                if (fresh) {
                    LOG.infof("Created the administrator '%s' with the password from berth.admin.password", config.username());
                } else {
                    LOG.warnf("No administrator was left: created the administrator '%s' with the password from "
                            + "berth.admin.password (BERTH_ADMIN_PASSWORD)", config.username());
                }
            }
            case RESTORED -> LOG.warnf("No administrator was left: '%s' is an administrator again, and its password "
                    + "is now the one in berth.admin.password (BERTH_ADMIN_PASSWORD); its refresh tokens are revoked",
                    config.username());
        }
    }

    private void createWithGeneratedPassword() {
        String password = generatePassword();
        try {
            users.createUser(config.username(), password, true);
        } catch (AccountException e) {
            if (e.reason() == AccountException.Reason.CONFLICT && !users.hasAdministrator()) {
                // The user exists without the role: only the operator's password may bring it back.
                throw AccountException.conflict(config.username() + " exists but is no administrator; set "
                        + "BERTH_ADMIN_PASSWORD and restart to make it an administrator again with that password");
            }
            throw e;
        }
        // Printed once, on purpose: the only way to log into a fresh registry without configuration.
        LOG.infof("Created the administrator '%s' with the generated password: %s  (shown only now; set "
                + "BERTH_ADMIN_PASSWORD before the first start to choose it, or change it with "
                + "PUT /api/v1/users/%s/password)", config.username(), password, config.username());
    }

    private static String generatePassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
