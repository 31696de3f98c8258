package io.berth.server.mirror;

import io.berth.server.domain.RepositoryName;

/**
 * Where a pulled repository name leads: to a repository of an upstream, cached here under a local
 * repository of the mirror namespace.
 *
 * @param upstream the upstream that serves it
 * @param remote the repository's name on the upstream ({@code library/busybox})
 * @param cache the local repository its content is cached in ({@code hub/library/busybox})
 */
public record MirrorRoute(Upstream upstream, String remote, RepositoryName cache) {
}
