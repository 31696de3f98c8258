/**
 * Hashing whose running state can be saved after one chunk of an upload and restored by any replica
 * for the next.
 *
 * <p>Two implementations exist. The JDK's SHA-256 and SHA-512 run on the CPU's SHA instructions
 * (about 1.5 GiB/s on the reference machine, against 0.18 GiB/s for BouncyCastle's pure-Java
 * digests), but the JDK offers no way to export their state: {@link io.berth.storage.digest.JdkDigestState}
 * reads and writes the few fields that hold it, which needs {@code --add-opens
 * java.base/sun.security.provider} and {@code java.base/java.security}. It checks itself when loaded
 * and, where the JDK's internals are closed or differ, Berth falls back to BouncyCastle's digests,
 * whose state export is public API. A saved state names the implementation that wrote it.
 */
package io.berth.storage.digest;
