package io.berth.server.testing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The administrator every test profile creates ({@code berth.admin.password}): the test database is
 * shared by all profiles of a test JVM, so they all use the same password.
 */
public final class TestAccounts {

    public static final String ADMIN = "admin";
    public static final String ADMIN_PASSWORD = "test-admin-password";

    private TestAccounts() {
    }

    /** Returns an HTTP Basic {@code Authorization} header value. */
    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Returns the administrator's {@code Authorization} header value. */
    public static String adminAuthorization() {
        return basic(ADMIN, ADMIN_PASSWORD);
    }
}
