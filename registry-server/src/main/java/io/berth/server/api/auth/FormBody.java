package io.berth.server.api.auth;

import io.berth.server.domain.TextInput;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An {@code application/x-www-form-urlencoded} body, decoded here rather than by the REST layer so that
 * an undecodable one ({@code %zz}, a trailing {@code %}, escapes of bytes that are no UTF-8) is a
 * refusal the token endpoint words itself, not an exception deep in the framework or a value silently
 * changed to U+FFFD. The first value of a repeated field wins.
 */
record FormBody(Map<String, String> fields) {

    /** Decodes a body; throws IllegalArgumentException with a reason a client can act on if it cannot be decoded. */
    static FormBody parse(byte[] body) {
        Map<String, String> fields = new LinkedHashMap<>();
        String text = TextInput.utf8(body == null ? new byte[0] : body).orElseThrow(() -> new IllegalArgumentException(
                "the form body is not UTF-8"));
        for (String pair : text.split("&")) {
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

    /** Undoes the form encoding ('+' for a space, %XX for a byte) and decodes the bytes as strict UTF-8. */
    private static String decode(String encoded) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); ) {
            int c = encoded.codePointAt(i);
            if (c == '%') {
                if (i + 2 >= encoded.length() || !HexFormat.isHexDigit(encoded.charAt(i + 1))
                        || !HexFormat.isHexDigit(encoded.charAt(i + 2))) {
                    throw new IllegalArgumentException("the form body is not valid application/x-www-form-urlencoded: '"
                            + encoded + "' has a '%' not followed by two hexadecimal digits");
                }
                bytes.write(HexFormat.fromHexDigits(encoded, i + 1, i + 3));
                i += 3;
            } else {
                bytes.writeBytes(c == '+' ? new byte[] {' '} : Character.toString(c).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(c);
            }
        }
        return TextInput.utf8(bytes.toByteArray()).orElseThrow(() -> new IllegalArgumentException(
                "the form body's '" + encoded + "' escapes bytes that are not UTF-8"));
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
