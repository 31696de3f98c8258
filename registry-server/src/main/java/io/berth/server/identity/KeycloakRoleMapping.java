package io.berth.server.identity;

import io.berth.auth.Role;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Berth's naming convention for Keycloak groups and client roles: a group or a client role of Berth's client
 * named {@code <namespace>:<role>} (for example {@code acme:write}) grants that role in that namespace, with
 * the roles' wire names {@code read}, {@code write}, {@code delete} and {@code admin}.
 *
 * <p>Group names may arrive as full paths ({@code /acme:write}, or {@code /teams/acme:write} for a subgroup)
 * when the group-membership mapper has "full group path" on: only the last path segment counts. Names that
 * do not follow the convention (other groups, other client roles) are ignored. When several entries name the
 * same namespace, the strongest role wins.
 */
final class KeycloakRoleMapping {

    private static final Logger LOG = Logger.getLogger(KeycloakRoleMapping.class);

    private KeycloakRoleMapping() {
    }

    /** Returns the namespace roles that the groups and client roles grant. */
    static Map<String, Role> namespaceRoles(Collection<String> groups, Collection<String> clientRoles) {
        Map<String, Role> roles = new HashMap<>();
        Stream.concat(groups.stream(), clientRoles.stream())
                .map(KeycloakRoleMapping::parse)
                .flatMap(Optional::stream)
                .forEach(grant -> roles.merge(grant.getKey(), grant.getValue(),
                        (one, other) -> one.compareTo(other) >= 0 ? one : other));
        return roles;
    }

    /** Parses {@code <namespace>:<role>}, or the last segment of a group path; empty for any other name. */
    private static Optional<Map.Entry<String, Role>> parse(String name) {
        String lastSegment = name.substring(name.lastIndexOf('/') + 1);
        int colon = lastSegment.indexOf(':');
        if (colon <= 0 || colon != lastSegment.lastIndexOf(':')) {
            return Optional.empty();
        }
        String namespace = lastSegment.substring(0, colon);
        Optional<Role> role = Role.fromWireName(lastSegment.substring(colon + 1));
        if (role.isEmpty()) {
            LOG.debugf("Ignoring Keycloak group or role %s: the part after ':' is not read, write, delete or admin", name);
            return Optional.empty();
        }
        return Optional.of(Map.entry(namespace, role.get()));
    }
}
