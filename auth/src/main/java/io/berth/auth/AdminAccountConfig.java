package io.berth.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** {@code berth.admin.*}: the administrator created when the registry has none ({@code BERTH_ADMIN_PASSWORD}). */
@ConfigMapping(prefix = "berth.admin")
public interface AdminAccountConfig {

    @WithDefault("admin")
    String username();

    /** The first administrator's password; generated and printed once when not set. */
    Optional<String> password();
}
