/**
 * HTTPS from PEM files ({@code berth.tls.*}): the Quarkus settings derived from them
 * ({@link io.berth.server.tls.TlsConfigSourceFactory}) and the loopback-only policy for plain HTTP while
 * HTTPS is on ({@link io.berth.server.tls.PlainHttpLoopbackFilter}). Without a certificate nothing here acts.
 */
package io.berth.server.tls;
