/**
 * Who may do what in the registry: accounts (users, robots, users of an external identity provider),
 * namespaces and their members, the permission check, and registry tokens. Speaks the domain (an
 * account, a scope, a grant), never HTTP: the registry server turns these into challenges and answers.
 */
package io.berth.auth;
