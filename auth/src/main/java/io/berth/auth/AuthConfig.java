package io.berth.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** {@code berth.auth.*}: authentication, registry tokens and login throttling. */
@ConfigMapping(prefix = "berth.auth")
public interface AuthConfig {

    /** Whether the registry API asks for credentials; off only for a registry nobody else can reach. */
    @WithDefault("true")
    boolean enabled();

    /** Registry tokens. */
    Token token();

    /** Failed-login throttling. */
    Login login();

    /**
     * How long a verified username and password are remembered in memory, so HTTP Basic on every
     * registry request does not cost a bcrypt check each time. A changed password or role takes effect
     * after at most this long.
     */
    @WithDefault("30s")
    Duration credentialCacheTtl();

    interface Token {

        /** The {@code iss} claim of the tokens Berth signs, and the issuer it accepts. */
        @WithDefault("berth")
        String issuer();

        /**
         * The token endpoint named in challenges ({@code realm}); by default {@code /token} on the scheme and
         * host the client used. Set it when a proxy rewrites the host.
         */
        Optional<String> realm();

        /** The service named in challenges: the {@code aud} claim the registry accepts. */
        @WithDefault("berth-registry")
        String service();

        /** How long an access token is valid. */
        @WithDefault("5m")
        Duration lifetime();

        /** How long a refresh token (OAuth2 password grant with {@code access_type=offline}) is valid. */
        @WithDefault("30d")
        Duration refreshLifetime();

        /**
         * The PEM private key (EC P-256 for ES256, or RSA for RS256) that signs tokens. Without it, Berth
         * generates an EC key on first start under {@link #keyDir()}. Replicas must share one.
         */
        Optional<Path> signingKeyFile();

        /**
         * More PEM keys (public or private) whose tokens are still accepted: the previous signing key while
         * keys rotate, so nobody is logged out.
         */
        Optional<List<Path>> verificationKeyFiles();

        /** Where the generated signing key is kept. */
        @WithDefault("${berth.data-dir}/auth")
        Path keyDir();
    }

    interface Login {

        /** Failed logins per account and source address within {@link #window()} before logins are refused. */
        @WithDefault("10")
        int maxFailures();

        /** The window in which failures count; a refused source may try again when it ends. */
        @WithDefault("5m")
        Duration window();

        /**
         * How many account names an address has failures counted for one by one in a window; its failures
         * for further names are counted together, so a client sending random names cannot grow the table.
         */
        @WithDefault("20")
        int maxNamesPerAddress();

        /**
         * Failed logins from one address, for all names together, within {@link #window()} before every
         * login from it is refused: the bound on guesses spread over many names (password spraying).
         */
        @WithDefault("100")
        int maxFailuresPerAddress();
    }
}
