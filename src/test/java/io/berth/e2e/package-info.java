/**
 * End-to-end tests: the packaged server ({@code registry-server/target/quarkus-app/quarkus-run.jar}) started
 * as a process on its embedded default ({@link io.berth.e2e.BerthServer}; started and stopped for a class or
 * a test by {@link io.berth.e2e.BerthFixture}), driven by real clients (Debian's skopeo and podman, run in an
 * isolated folder by {@link io.berth.e2e.ContainerTools}) and by plain HTTP.
 * The test image is written here as an OCI layout ({@link io.berth.e2e.TestImage}), with no network.
 */
package io.berth.e2e;
