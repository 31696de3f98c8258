/**
 * The admin REST API under {@code /api/v1}: users, organizations and their members, robot accounts, and
 * the visibility of namespaces and repositories. Only administrators may call it: a Berth administrator
 * with HTTP Basic, or a bearer token of the identity provider that makes its holder one.
 */
package io.berth.server.api.admin;
