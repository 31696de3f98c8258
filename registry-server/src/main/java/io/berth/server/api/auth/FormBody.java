package io.berth.server.api.auth;

import io.berth.server.domain.TextInput;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An {@code application/x-www-form-urlencoded} body, decoded here rather than by the REST layer so that
 * an undecodable one ({@code %zz}, a trailing {@code %}) is a refusal the token endpoint words itself,
 * not an {@code IllegalArgumentException} deep in the framework. The first value of a repeated field wins.
 */
record FormBody(Map<String, String> fields) {

    /** Decodes a body; throws IllegalArgumentException with a reason a client can act on if it cannot be decoded. */
    static FormBody parse(String body) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (body == null || body.isEmpty()) {
            return new FormBody(fields);
        }
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            fields.putIfAbsent(name, value);
        }
        return new FormBody(fields);
    }

    private static String decode(String encoded) {
        try {
            return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the form body is not valid application/x-www-form-urlencoded: '"
                    + encoded + "' has a '%' not followed by two hexadecimal digits", e);
        }
    }

    /** Returns the field's value, or null when the form has no such field. */
    String get(String name) {
        return fields.get(name);
    }

    /** Returns what makes a field unusable ("username holds a NUL character"), checking the named fields in order. */
    Optional<String> problem(int maxLength, String... names) {
        for (String name : names) {
            Optional<String> problem = TextInput.problem(fields.get(name), maxLength);
            if (problem.isPresent()) {
                return Optional.of(name + " " + problem.get());
            }
        }
        return Optional.empty();
    }
}
