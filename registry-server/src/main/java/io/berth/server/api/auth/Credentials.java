package io.berth.server.api.auth;

import io.berth.server.domain.TextInput;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * What an {@code Authorization} header carries: nothing, a bearer token, or a username and password. Basic
 * credentials holding text no account can have (a NUL character, a lone surrogate, a name longer than the
 * account column) are unreadable, so they are refused before they reach the account lookup.
 */
public sealed interface Credentials {

    record None() implements Credentials {
    }

    record Bearer(String token) implements Credentials {
    }

    record Basic(String username, String password) implements Credentials {
    }

    /** A header that is there but cannot be read. */
    record Unreadable(String reason) implements Credentials {
    }

    /** Parses an {@code Authorization} header; null or blank is {@link None}. */
    static Credentials parse(String header) {
        if (header == null || header.isBlank()) {
            return new None();
        }
        int space = header.indexOf(' ');
        if (space < 0) {
            return new Unreadable("the Authorization header names no scheme");
        }
        String scheme = header.substring(0, space).toLowerCase(Locale.ROOT);
        String value = header.substring(space + 1).trim();
        return switch (scheme) {
            case "bearer" -> value.isEmpty() ? new Unreadable("empty bearer token") : new Bearer(value);
            case "basic" -> basic(value).orElseGet(() -> new Unreadable("malformed Basic credentials"));
            default -> new Unreadable("unsupported authorization scheme " + header.substring(0, space));
        };
    }

    private static Optional<Credentials> basic(String encoded) {
        try {
            Optional<String> text = TextInput.utf8(Base64.getDecoder().decode(encoded));
            if (text.isEmpty()) {
                return Optional.of(new Unreadable("unusable Basic credentials: they are not UTF-8"));
            }
            String decoded = text.get();
            int colon = decoded.indexOf(':');
            if (colon <= 0) {
                return Optional.empty();
            }
            String username = decoded.substring(0, colon);
            String password = decoded.substring(colon + 1);
            Optional<String> problem = TextInput.problem(username, TextInput.COLUMN_LENGTH).map(p -> "the user name " + p)
                    .or(() -> TextInput.problem(password, TextInput.UNLIMITED).map(p -> "the password " + p));
            if (problem.isPresent()) {
                return Optional.of(new Unreadable("unusable Basic credentials: " + problem.get()));
            }
            return Optional.of(new Basic(username, password));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
