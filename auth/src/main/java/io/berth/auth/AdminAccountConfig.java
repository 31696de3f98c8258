package io.berth.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/**
 * {@code berth.admin.*}: the administrator created, or restored, at start when the registry has none
 * ({@code BERTH_ADMIN_PASSWORD}).
 */
@ConfigMapping(prefix = "berth.admin")
public interface AdminAccountConfig {

    @WithDefault("admin")
    String username();

    /**
     * The administrator's password: the first administrator's, generated and printed once when not set; and,
     * when set, the password {@link #username()} gets back with the role if no administrator is left.
     */
    Optional<String> password();
}
