package io.berth.server.mirror;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * An upstream registry as configured.
 *
 * @param id the configuration key ({@code berth.mirror.upstreams.<id>})
 * @param url the registry's base URL
 * @param namespace the local namespace its repositories appear under
 * @param isDefault whether it also serves names outside every namespace
 * @param credentials how Berth signs in to it, if at all
 * @param tagFreshness how long a cached tag is served without asking
 * @param keep how long cached content nobody pulled is kept
 * @param anonymousPull whether anonymous clients may pull through it
 * @param libraryPrefix whether a one-component name means {@code library/<name>}
 */
public record Upstream(String id, URI url, String namespace, boolean isDefault, Optional<Credentials> credentials,
        Duration tagFreshness, Duration keep, boolean anonymousPull, boolean libraryPrefix) {

    /** A username and password (or token) for the upstream's Basic auth or its token service. */
    public record Credentials(String username, String password) {
        @Override
        public String toString() {
            return "Credentials[" + username + ", ***]";
        }
    }

    /** The upstream's name for a repository path below the mirror namespace. */
    public String remoteName(String path) {
        return libraryPrefix && path.indexOf('/') < 0 ? "library/" + path : path;
    }
}
