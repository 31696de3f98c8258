/**
 * HTTPS from PEM files ({@code berth.tls.*}): the Quarkus settings derived from them
 * ({@link io.berth.server.tls.TlsConfigSourceFactory}) and the policy for plain HTTP while HTTPS is on, which
 * {@link io.berth.server.api.PlainHttpLoopbackFilter} enforces. Without a certificate nothing here acts.
 */
package io.berth.server.tls;
