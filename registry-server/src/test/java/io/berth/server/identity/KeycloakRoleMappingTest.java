package io.berth.server.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.auth.Role;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeycloakRoleMappingTest {

    @Test
    void groupsAndClientRolesNamedNamespaceColonRoleGrantThatRole() {
        assertEquals(Map.of("acme", Role.WRITE, "tools", Role.READ, "infra", Role.ADMIN),
                KeycloakRoleMapping.namespaceRoles(List.of("acme:write", "tools:read"), List.of("infra:admin")));
    }

    @Test
    void fullGroupPathsCountByTheirLastSegment() {
        assertEquals(Map.of("acme", Role.DELETE, "tools", Role.READ),
                KeycloakRoleMapping.namespaceRoles(List.of("/acme:delete", "/teams/tools:read"), List.of()));
    }

    @Test
    void theStrongestRoleForANamespaceWins() {
        assertEquals(Map.of("acme", Role.DELETE),
                KeycloakRoleMapping.namespaceRoles(List.of("/acme:read", "acme:delete"), List.of("acme:write")));
    }

    @Test
    void otherNamesAreIgnored() {
        assertEquals(Map.of(),
                KeycloakRoleMapping.namespaceRoles(List.of("developers", "/acme:owner", ":read", "a:b:read", "acme:"),
                        List.of("berth-admin", "uma_protection")));
    }
}
