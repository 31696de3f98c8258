/**
 * The OCI Distribution API v1.1 under {@code /v2}: blobs, uploads, manifests, tags, the catalog and
 * referrers. Every route names the repository with {@link io.berth.server.api.v2.Routes#NAME}, which
 * admits any path so that a malformed name is answered with NAME_INVALID rather than a bare 404.
 */
package io.berth.server.api.v2;
