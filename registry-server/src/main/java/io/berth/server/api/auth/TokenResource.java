package io.berth.server.api.auth;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.berth.auth.AccessPolicy;
import io.berth.auth.AuthenticationFailedException;
import io.berth.auth.Authenticator;
import io.berth.auth.Principal;
import io.berth.auth.Scope;
import io.berth.auth.token.IssuedToken;
import io.berth.auth.token.RefreshTokens;
import io.berth.auth.token.TokenService;
import io.berth.server.domain.TextInput;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * The token endpoint of the Docker token protocol. {@code GET /token} takes HTTP Basic credentials (or
 * none, for anonymous pulls) and {@code scope} parameters; {@code POST /token} is the OAuth2 form that
 * Docker and containerd use ({@code grant_type=password} or {@code refresh_token}). The token grants
 * what was asked as far as the caller may have it.
 */
@Path("/token")
@Tag(name = "token", description = "Docker registry token authentication")
public class TokenResource {

    private final Authenticator authenticator;
    private final AccessPolicy policy;
    private final TokenService tokens;
    private final RefreshTokens refreshTokens;

    public TokenResource(Authenticator authenticator, AccessPolicy policy, TokenService tokens, RefreshTokens refreshTokens) {
        this.authenticator = authenticator;
        this.policy = policy;
        this.tokens = tokens;
        this.refreshTokens = refreshTokens;
    }

    /** The token answer: {@code token} and {@code access_token} hold the same JWT. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TokenAnswer(String token, @JsonProperty("access_token") String accessToken,
            @JsonProperty("expires_in") long expiresIn, @JsonProperty("issued_at") String issuedAt,
            @JsonProperty("refresh_token") String refreshToken, String scope) {
    }

    /** An OAuth2 error answer. */
    public record OAuthError(String error, @JsonProperty("error_description") String description) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Get a registry token with HTTP Basic credentials (or anonymously)")
    public Response get(@RestHeader(HttpHeaders.AUTHORIZATION) String authorization, @RestQuery List<String> scope,
            @RestQuery("offline_token") String offlineToken, HttpServerRequest request) {
        Principal principal = switch (Credentials.parse(authorization)) {
            case Credentials.None none -> Principal.ANONYMOUS;
            case Credentials.Basic basic -> authenticator.authenticate(basic.username(), basic.password(),
                    RegistryAccessFilter.sourceOf(request));
            case Credentials.Bearer bearer -> throw new AuthenticationFailedException("the token endpoint takes Basic credentials");
            case Credentials.Unreadable unreadable -> throw new AuthenticationFailedException(unreadable.reason());
        };
        boolean offline = "true".equalsIgnoreCase(offlineToken);
        return Response.ok(answer(principal, parseScopes(scope), offline ? refreshTokens.issue(principal) : Optional.empty()))
                .build();
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Get a registry token through OAuth2 (password or refresh_token grant)",
            description = "The form takes grant_type, username, password, refresh_token, access_type and scope.")
    public Response post(byte[] body, HttpServerRequest request) {
        FormBody form;
        try {
            form = FormBody.parse(body);
        } catch (IllegalArgumentException e) {
            return oauthError(400, "invalid_request", e.getMessage());
        }
        // Text no account, password or token can hold is a malformed request, refused before any lookup.
        Optional<String> unusable = form.problem(TextInput.COLUMN_LENGTH, "username")
                .or(() -> form.problem(TextInput.UNLIMITED, "password", "refresh_token", "grant_type", "access_type"));
        if (unusable.isPresent()) {
            return oauthError(400, "invalid_request", "the form's " + unusable.get());
        }
        String scope = form.get("scope");
        List<Scope> requested;
        try {
            requested = parseScopes(scope == null ? List.of() : List.of(scope));
        } catch (RegistryException e) {
            return oauthError(400, "invalid_scope", e.getMessage());
        }
        String grantType = form.get("grant_type");
        if ("password".equals(grantType)) {
            String username = form.get("username");
            String password = form.get("password");
            if (username == null || password == null) {
                return oauthError(400, "invalid_request", "the password grant needs username and password");
            }
            Principal principal;
            try {
                principal = authenticator.authenticate(username, password, RegistryAccessFilter.sourceOf(request));
            } catch (AuthenticationFailedException e) {
                return oauthError(401, "invalid_grant", e.getMessage());
            }
            Optional<String> refresh = "offline".equals(form.get("access_type")) ? refreshTokens.issue(principal)
                    : Optional.empty();
            return Response.ok(answer(principal, requested, refresh)).build();
        }
        if ("refresh_token".equals(grantType)) {
            String refreshToken = form.get("refresh_token");
            if (refreshToken == null) {
                return oauthError(400, "invalid_request", "the refresh_token grant needs refresh_token");
            }
            Optional<Principal> principal = refreshTokens.accountOf(refreshToken).flatMap(authenticator::reload);
            if (principal.isEmpty()) {
                return oauthError(401, "invalid_grant", "the refresh token is unknown, expired or revoked");
            }
            return Response.ok(answer(principal.get(), requested, Optional.of(refreshToken))).build();
        }
        return oauthError(400, "unsupported_grant_type", "grant_type must be password or refresh_token");
    }

    private TokenAnswer answer(Principal principal, List<Scope> requested, Optional<String> refreshToken) {
        IssuedToken issued = tokens.issue(principal, policy.grant(principal, requested));
        long expiresIn = Duration.between(issued.issuedAt(), issued.expiresAt()).toSeconds();
        String granted = String.join(" ", issued.access().stream().map(Scope::toString).toList());
        return new TokenAnswer(issued.token(), issued.token(), expiresIn, issued.issuedAt().toString(),
                refreshToken.orElse(null), granted.isEmpty() ? null : granted);
    }

    /**
     * Parses scope parameters, each of which may hold several scopes separated by spaces (the OAuth2 form).
     * Unreadable scopes are ignored; one naming what no repository can be called (a NUL character, a lone
     * surrogate, more than a name column holds) throws NAME_INVALID before the grant looks it up.
     */
    private static List<Scope> parseScopes(List<String> values) {
        List<Scope> scopes = new ArrayList<>();
        for (String value : values) {
            for (String one : value.split(" ")) {
                if (!one.isBlank()) {
                    Scope.parse(one.trim()).ifPresent(scope -> scopes.add(checked(scope)));
                }
            }
        }
        return scopes;
    }

    private static Scope checked(Scope scope) {
        TextInput.problem(scope.name(), TextInput.COLUMN_LENGTH).ifPresent(problem -> {
            throw new RegistryException(OciErrorCode.NAME_INVALID, "the scope's resource name " + problem)
                    .withDetail("scope", scope.toString());
        });
        return scope;
    }

    private static Response oauthError(int status, String error, String description) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new OAuthError(error, description)).build();
    }
}
