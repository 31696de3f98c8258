/**
 * A real S3 server for tests: s3proxy as a child process ({@link io.berth.testing.s3.S3ProxyServer}), for the
 * S3 store's own tests, the server's S3 profiles and the end-to-end tests on S3. The jar comes from the system
 * property {@code berth.s3proxy.jar}, which each module's Surefire configuration sets.
 */
package io.berth.testing.s3;
