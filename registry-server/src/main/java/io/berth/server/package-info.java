/**
 * The Berth registry server: the OCI Distribution API over HTTP ({@code api}), the services that speak
 * the registry's domain ({@code service}), and the wiring of the storage and metadata modules.
 */
package io.berth.server;
