package io.berth.server.api.admin;

import io.berth.auth.AccountException;

/** Checks shared by the admin resources. */
final class Requests {

    private Requests() {
    }

    /** Refuses a request without a body (Jackson gives null) instead of failing later with a NullPointerException. */
    static void require(Object body, String what) {
        if (body == null) {
            throw new AccountException(AccountException.Reason.INVALID, "the request needs " + what);
        }
    }
}
