package io.berth.auth.token;

import io.berth.auth.AuthConfig;
import io.berth.auth.Principal;
import io.berth.metadata.repository.RefreshTokenRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Opaque refresh tokens for the OAuth2 flow of {@code docker login} and containerd: random, stored as a
 * SHA-256 in PostgreSQL (any replica redeems them), revoked with a password change.
 */
@ApplicationScoped
public class RefreshTokens {

    private final RefreshTokenRepository tokens;
    private final AuthConfig config;
    private final SecureRandom random = new SecureRandom();

    public RefreshTokens(RefreshTokenRepository tokens, AuthConfig config) {
        this.tokens = tokens;
        this.config = config;
    }

    /** Issues a refresh token for an account (anonymous gets none). */
    @Transactional
    public Optional<String> issue(Principal principal) {
        if (principal.accountId().isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        tokens.save(TokenHashes.sha256Hex(token), principal.accountId().get(), Instant.now().plus(config.token().refreshLifetime()));
        return Optional.of(token);
    }

    /** Returns the account a live refresh token belongs to. */
    @Transactional
    public Optional<Long> accountOf(String token) {
        return tokens.accountOf(TokenHashes.sha256Hex(token), Instant.now());
    }
}
