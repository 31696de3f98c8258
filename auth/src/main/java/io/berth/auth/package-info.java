/**
 * Who may do what in the registry: accounts (users, robots, users of an external identity provider),
 * namespaces and their members, the permission check, and registry tokens. Speaks the domain (an
 * account, a scope, a grant), never HTTP: the registry server turns these into challenges and answers.
 *
 * <p>The accounts are managed by one service per kind, as the admin API is cut: {@link
 * io.berth.auth.UserService}, {@link io.berth.auth.OrganizationService}, {@link io.berth.auth.RobotService}
 * and {@link io.berth.auth.VisibilityService} (public namespaces and repositories); the checks of names
 * they share are in {@code AccountNames}. {@link io.berth.auth.Authenticator} and
 * {@link io.berth.auth.AccessPolicy} answer who a caller is and what it may do.
 */
package io.berth.auth;
