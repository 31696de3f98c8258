package io.berth.server.mirror;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An upstream's {@code WWW-Authenticate} challenge: {@code Basic realm="..."}, or {@code Bearer
 * realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"}
 * for the token flow of the distribution spec.
 *
 * @param scheme {@code basic} or {@code bearer}, lower-cased
 * @param parameters the challenge's parameters by lower-cased name
 */
record AuthChallenge(String scheme, Map<String, String> parameters) {

    /** Parses a challenge; empty if the header is missing or names no scheme. */
    static Optional<AuthChallenge> parse(String header) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String value = header.strip();
        int space = value.indexOf(' ');
        String scheme = (space < 0 ? value : value.substring(0, space)).toLowerCase(Locale.ROOT);
        Map<String, String> parameters = new HashMap<>();
        int at = space < 0 ? value.length() : space + 1;
        while (at < value.length()) {
            int equals = value.indexOf('=', at);
            if (equals < 0) {
                break;
            }
            String name = value.substring(at, equals).strip().toLowerCase(Locale.ROOT);
            at = equals + 1;
            StringBuilder parameter = new StringBuilder();
            if (at < value.length() && value.charAt(at) == '"') {
                at++;
                while (at < value.length() && value.charAt(at) != '"') {
                    if (value.charAt(at) == '\\' && at + 1 < value.length()) {
                        at++;
                    }
                    parameter.append(value.charAt(at++));
                }
                at++; // the closing quote
            } else {
                while (at < value.length() && value.charAt(at) != ',') {
                    parameter.append(value.charAt(at++));
                }
            }
            parameters.put(name, parameter.toString().strip());
            while (at < value.length() && (value.charAt(at) == ',' || value.charAt(at) == ' ')) {
                at++;
            }
        }
        return Optional.of(new AuthChallenge(scheme, Map.copyOf(parameters)));
    }

    Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name)).filter(value -> !value.isEmpty());
    }
}
