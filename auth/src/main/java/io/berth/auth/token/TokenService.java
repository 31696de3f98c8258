package io.berth.auth.token;

import io.berth.auth.Action;
import io.berth.auth.AuthConfig;
import io.berth.auth.Principal;
import io.berth.auth.Scope;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Issues and verifies registry access tokens: JWS (ES256 or RS256, {@code kid} in the header) with the
 * claims {@code iss}, {@code sub}, {@code aud}, {@code exp}, {@code nbf}, {@code iat}, {@code jti} and
 * {@code access: [{type, name, actions}]}, as the Docker token specification describes them.
 */
@ApplicationScoped
public class TokenService {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(TokenService.class);

    /** Clocks of replicas and clients differ a little. */
    private static final int CLOCK_SKEW_SECONDS = 30;

    /** Past this many remembered tokens the memory is simply cleared: it is a cache, not a session store. */
    private static final int MAX_REMEMBERED = 10_000;

    private final SigningKeys keys;
    private final AuthConfig config;
    private final JwtConsumer consumer;
    /**
     * Tokens verified before, by the SHA-256 of their text (the memory never holds a token), until they
     * expire. A client sends the same token with every request of a push or pull, and checking its ES256
     * signature again each time cost about half a millisecond of every request.
     */
    private final Map<String, Remembered> remembered = new ConcurrentHashMap<>();

    private record Remembered(VerifiedToken token, Instant expires) {
    }

    public TokenService(SigningKeys keys, AuthConfig config) {
        this.keys = keys;
        this.config = config;
        this.consumer = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setRequireNotBefore()
                .setRequireIssuedAt()
                .setRequireSubject()
                .setAllowedClockSkewInSeconds(CLOCK_SKEW_SECONDS)
                .setExpectedIssuer(config.token().issuer())
                .setExpectedAudience(config.token().service())
                // Only what Berth signs with: never "none", never an HMAC keyed with a public key.
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, "ES256", "RS256")
                .setVerificationKeyResolver((jws, nestingContext) -> {
                    SigningKeys.VerificationKey key = keys.verificationKey(jws.getKeyIdHeaderValue())
                            .orElseThrow(() -> new UnresolvableKeyException("unknown key id " + jws.getKeyIdHeaderValue()));
                    if (!key.algorithm().equals(jws.getAlgorithmHeaderValue())) {
                        throw new UnresolvableKeyException("key " + key.kid() + " signs with " + key.algorithm());
                    }
                    return key.key();
                })
                .build();
    }

    /** The service name clients must ask tokens for (the {@code aud} the registry accepts). */
    public String service() {
        return config.token().service();
    }

    /** Signs a token for the principal granting exactly {@code access}. */
    public IssuedToken issue(Principal principal, List<Scope> access) {
        Instant now = Instant.now();
        Instant expires = now.plus(config.token().lifetime());
        List<Map<String, Object>> accessClaim = new ArrayList<>();
        for (Scope scope : access) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("type", scope.type());
            entry.put("name", scope.name());
            entry.put("actions", scope.isCatalog() ? List.of("*") : scope.actions().stream()
                    .sorted().map(Action::wireName).toList());
            accessClaim.add(entry);
        }
        String subject = principal.isAnonymous() ? VerifiedToken.ANONYMOUS_SUBJECT : principal.name();
        String token = Jwt.issuer(config.token().issuer())
                .subject(subject)
                .audience(config.token().service())
                .issuedAt(now)
                .expiresAt(expires)
                .claim("nbf", now.getEpochSecond())
                .claim("jti", UUID.randomUUID().toString())
                .claim("access", accessClaim)
                .jws()
                .keyId(keys.signingKid())
                .algorithm(SignatureAlgorithm.fromAlgorithm(keys.signingAlgorithm()))
                .sign(keys.signingKey());
        return new IssuedToken(token, now, expires, List.copyOf(access));
    }

    /** Checks a token and returns what it grants; throws {@link InvalidTokenException} saying why not. */
    public VerifiedToken verify(String token) {
        String rememberedKey = TokenHashes.sha256Hex(token);
        Remembered known = remembered.get(rememberedKey);
        Instant now = Instant.now();
        if (known != null && known.expires().isAfter(now)) {
            return known.token();
        }
        JwtClaims claims;
        try {
            claims = consumer.processToClaims(token);
        } catch (InvalidJwtException e) {
            remembered.remove(rememberedKey);
            throw new InvalidTokenException(reason(e));
        }
        VerifiedToken verified;
        Instant expires;
        try {
            verified = new VerifiedToken(claims.getSubject(), access(claims.getClaimValue("access")));
            expires = Instant.ofEpochSecond(claims.getExpirationTime().getValue());
        } catch (MalformedClaimException | ClassCastException e) {
            throw new InvalidTokenException("malformed claims: " + e.getMessage());
        }
        if (remembered.size() > MAX_REMEMBERED) {
            remembered.clear();
        }
        // Until the expiry itself, not the skew past it that the check allows: never longer than the token.
        remembered.put(rememberedKey, new Remembered(verified, expires));
        return verified;
    }

    private static List<Scope> access(Object claim) {
        List<Scope> access = new ArrayList<>();
        if (claim == null) {
            return access;
        }
        for (Object item : (List<?>) claim) {
            Map<?, ?> entry = (Map<?, ?>) item;
            String type = String.valueOf(entry.get("type"));
            String name = String.valueOf(entry.get("name"));
            List<?> actions = entry.get("actions") instanceof List<?> list ? list : List.of();
            if (Scope.REGISTRY.equals(type) && Scope.CATALOG.equals(name) && actions.contains("*")) {
                access.add(Scope.catalog());
            } else if (Scope.REPOSITORY.equals(type)) {
                java.util.EnumSet<Action> parsed = java.util.EnumSet.noneOf(Action.class);
                actions.forEach(action -> parsed.addAll(Action.parse(String.valueOf(action))));
                access.add(Scope.repository(name, parsed));
            }
        }
        return access;
    }

    /** A short reason, without the token itself (jose4j's messages quote it). */
    private static String reason(InvalidJwtException e) {
        if (e.hasExpired()) {
            return "the token has expired";
        }
        String details = e.getErrorDetails().stream()
                .map(detail -> detail.getErrorCode() + " " + detail.getErrorMessage())
                .collect(java.util.stream.Collectors.joining(" | "))
                .toLowerCase(java.util.Locale.ROOT);
        if (e.hasErrorCode(org.jose4j.jwt.consumer.ErrorCodes.AUDIENCE_INVALID)) {
            return "the token is for another service";
        }
        if (e.hasErrorCode(org.jose4j.jwt.consumer.ErrorCodes.ISSUER_INVALID)) {
            return "the token is from another issuer";
        }
        if (e.hasErrorCode(org.jose4j.jwt.consumer.ErrorCodes.NOT_YET_VALID) || details.contains("not yet valid")) {
            return "the token is not valid yet";
        }
        if (details.contains("unknown key id")) {
            return "the token is signed with an unknown key";
        }
        if (details.contains("algorithm") || details.contains("signs with")) {
            return "the token's algorithm is not accepted";
        }
        if (e.hasErrorCode(org.jose4j.jwt.consumer.ErrorCodes.SIGNATURE_INVALID) || details.contains("signature")) {
            return "the token's signature is invalid";
        }
        LOG.debugf("Refused a token: %s", details.replaceAll("[a-z0-9_-]{20,}\\.[a-z0-9_.-]*", "<token>"));
        return "the token is invalid";
    }
}
