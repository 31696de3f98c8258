package io.berth.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ScopeTest {

    @Test
    void aScopeIsParsedFromTheRightSoANameMayHoldAPort() {
        Scope scope = Scope.parse("repository:registry.example:5000/team/app:pull,push").orElseThrow();
        assertEquals("repository", scope.type());
        assertEquals("registry.example:5000/team/app", scope.name());
        assertEquals(Set.of(Action.PULL, Action.PUSH), scope.actions());
    }

    @Test
    void aResourceClassIsDroppedAndUnknownActionsAreIgnored() {
        Scope scope = Scope.parse("repository(plugin):acme/app:pull,fly").orElseThrow();
        assertEquals("repository", scope.type());
        assertEquals(Set.of(Action.PULL), scope.actions());
        assertEquals("repository:acme/app:pull", scope.toString());
    }

    @Test
    void aWildcardMeansEveryAction() {
        assertEquals(Action.ALL, Scope.parse("repository:acme/app:*").orElseThrow().actions());
    }

    @Test
    void theCatalogScopeIsRecognizedAndMalformedScopesAreNot() {
        assertTrue(Scope.parse("registry:catalog:*").orElseThrow().isCatalog());
        assertTrue(Scope.parse("registry:catalog:pull").isEmpty());
        assertTrue(Scope.parse("repository").isEmpty());
        assertTrue(Scope.parse("repository:acme").isEmpty());
        assertTrue(Scope.parse("repository::pull").isEmpty());
        assertTrue(Scope.parse(":acme:pull").isEmpty());
    }

    @Test
    void theNamespaceOfARepositoryIsItsFirstComponent() {
        assertEquals("acme", Principal.namespaceOf("acme/team/app"));
        assertEquals("alpine", Principal.namespaceOf("alpine"));
    }

    @Test
    void rolesAllowGrowingSetsOfActions() {
        assertEquals(Set.of(Action.PULL), Role.READ.actions());
        assertEquals(Set.of(Action.PULL, Action.PUSH), Role.WRITE.actions());
        assertEquals(Action.ALL, Role.DELETE.actions());
        assertEquals(Action.ALL, Role.ADMIN.actions());
    }
}
