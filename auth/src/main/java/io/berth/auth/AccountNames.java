package io.berth.auth;

import io.berth.metadata.repository.AccountRepository;
import io.berth.metadata.repository.NamespaceRepository;
import java.util.regex.Pattern;

/**
 * The checks on names that the services of accounts share: what a user, organization, robot or
 * namespace name may look like, and that a new user or organization takes a name nobody has. Each
 * check throws an {@link AccountException} (invalid or conflict) and otherwise does nothing.
 */
final class AccountNames {

    /** A user, organization or robot name: one repository name component, lower case. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");

    private AccountNames() {
    }

    /**
     * Checks that {@code name} is a valid name for a {@code what} (a user, an organization, a robot, a
     * namespace): lower-case letters and digits separated by '.', '_', '__' or '-', at most 255 characters.
     */
    static void requireName(String what, String name) {
        if (name == null || name.length() > 255 || !NAME.matcher(name).matches()) {
            throw AccountException.invalid("invalid " + what + " name '" + name
                    + "': lower-case letters and digits, separated by '.', '_', '__' or '-'");
        }
    }

    /**
     * Checks that no account and no namespace has the name yet: users and organizations share one name
     * space, since each user has a personal namespace of its own name.
     */
    static void requireFree(AccountRepository accounts, NamespaceRepository namespaces, String name) {
        if (accounts.findByName(name).isPresent() || namespaces.findByName(name).isPresent()) {
            throw AccountException.conflict("the name " + name + " is taken by a user or an organization");
        }
    }
}
