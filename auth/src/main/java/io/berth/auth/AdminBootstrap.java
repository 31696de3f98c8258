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
 * Creates the first administrator when the registry has none, with the configured password
 * ({@code BERTH_ADMIN_PASSWORD}) or a generated one printed once, so a fresh registry can be logged
 * into and managed.
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
        if (users.hasAdministrator()) {
            return;
        }
        boolean generated = config.password().isEmpty();
        String password = config.password().orElseGet(AdminBootstrap::generatePassword);
        try {
            users.createUser(config.username(), password, true);
        } catch (AccountException e) {
            if (e.reason() == AccountException.Reason.CONFLICT) {
                // Another replica created it at the same moment.
                return;
            }
            throw e;
        }
        if (generated) {
            // Printed once, on purpose: the only way to log into a fresh registry without configuration.
            LOG.infof("Created the administrator '%s' with the generated password: %s  (shown only now; set "
                    + "BERTH_ADMIN_PASSWORD before the first start to choose it, or change it with "
                    + "PUT /api/v1/users/%s/password)", config.username(), password, config.username());
        } else {
            LOG.infof("Created the administrator '%s' with the password from berth.admin.password", config.username());
        }
    }

    private static String generatePassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
