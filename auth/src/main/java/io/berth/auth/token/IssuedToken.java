package io.berth.auth.token;

import io.berth.auth.Scope;
import java.time.Instant;
import java.util.List;

/** A signed access token and what it grants. */
public record IssuedToken(String token, Instant issuedAt, Instant expiresAt, List<Scope> access) {
}
