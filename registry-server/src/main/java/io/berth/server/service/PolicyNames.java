package io.berth.server.service;

import io.berth.auth.AccountException;
import io.berth.metadata.repository.PolicyScope;
import io.berth.server.domain.RepositoryName;

/** Checks the name a lifecycle rule is declared on: a repository name, or a namespace (one component). */
final class PolicyNames {

    private PolicyNames() {
    }

    static String checked(PolicyScope scope, String name) {
        RepositoryName parsed = new RepositoryName(name);
        if (scope == PolicyScope.NAMESPACE && !parsed.namespace().equals(parsed.value())) {
            throw new AccountException(AccountException.Reason.INVALID, "a namespace has no '/': " + name);
        }
        return parsed.value();
    }
}
