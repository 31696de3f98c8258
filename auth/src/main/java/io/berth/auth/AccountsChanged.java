package io.berth.auth;

/**
 * Fired (as a CDI event) after a change to accounts, roles, robots or secrets, so that what this replica
 * remembered about logins is forgotten at once. Other replicas forget within {@code berth.auth.credential-cache-ttl}.
 */
public record AccountsChanged(String what) {
}
