package io.berth.storage.digest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.MessageDigestSpi;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Random;
import org.jboss.logging.Logger;

/**
 * Reads and writes the running state of the JDK's SHA-2 digests, which the JDK keeps in the fields
 * {@code DigestBase.buffer}, {@code bufOfs}, {@code bytesProcessed} and {@code SHA2.state} /
 * {@code SHA5.state} of its {@code SUN} provider. {@link #AVAILABLE} is true only when those fields
 * are reachable and a round trip through an exported state reproduces the JDK's own digests.
 */
final class JdkDigestState {

    private static final Logger LOG = Logger.getLogger(JdkDigestState.class);

    /** True when this JVM's SHA-2 state can be exported and restored faithfully. */
    static final boolean AVAILABLE;

    private static final VarHandle DIGEST_SPI;
    private static final VarHandle BUFFER;
    private static final VarHandle BUFFER_OFFSET;
    private static final VarHandle BYTES_PROCESSED;
    private static final VarHandle SHA256_STATE;
    private static final VarHandle SHA512_STATE;

    static {
        VarHandle spi = null, buffer = null, bufferOffset = null, bytesProcessed = null, sha256 = null, sha512 = null;
        boolean available = false;
        try {
            Class<?> delegate = Class.forName("java.security.MessageDigest$Delegate");
            spi = MethodHandles.privateLookupIn(delegate, MethodHandles.lookup())
                    .findVarHandle(delegate, "digestSpi", MessageDigestSpi.class);
            Class<?> base = Class.forName("sun.security.provider.DigestBase");
            MethodHandles.Lookup baseLookup = MethodHandles.privateLookupIn(base, MethodHandles.lookup());
            buffer = baseLookup.findVarHandle(base, "buffer", byte[].class);
            bufferOffset = baseLookup.findVarHandle(base, "bufOfs", int.class);
            bytesProcessed = baseLookup.findVarHandle(base, "bytesProcessed", long.class);
            Class<?> sha2 = Class.forName("sun.security.provider.SHA2");
            sha256 = MethodHandles.privateLookupIn(sha2, MethodHandles.lookup()).findVarHandle(sha2, "state", int[].class);
            Class<?> sha5 = Class.forName("sun.security.provider.SHA5");
            sha512 = MethodHandles.privateLookupIn(sha5, MethodHandles.lookup()).findVarHandle(sha5, "state", long[].class);
            available = true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.infof("The JDK's digest state is not accessible (%s); chunked uploads hash with BouncyCastle. "
                    + "Start the JVM with --add-opens java.base/sun.security.provider=ALL-UNNAMED "
                    + "--add-opens java.base/java.security=ALL-UNNAMED for the faster JDK digests.", e.toString());
        }
        DIGEST_SPI = spi;
        BUFFER = buffer;
        BUFFER_OFFSET = bufferOffset;
        BYTES_PROCESSED = bytesProcessed;
        SHA256_STATE = sha256;
        SHA512_STATE = sha512;
        AVAILABLE = available && selfTest();
    }

    private JdkDigestState() {
    }

    /** Returns a new SUN-provider digest of the given JCA name. */
    static MessageDigest newDigest(String jcaName) {
        try {
            return MessageDigest.getInstance(jcaName, "SUN");
        } catch (NoSuchAlgorithmException | java.security.NoSuchProviderException e) {
            throw new IllegalStateException(jcaName + " from the SUN provider is part of every JDK", e);
        }
    }

    /** Writes the digest's running state: bytes processed, the partial block, the hash words. */
    static byte[] export(MessageDigest digest) {
        Object spi = DIGEST_SPI.get(digest);
        int bufferOffset = (int) BUFFER_OFFSET.get(spi);
        byte[] buffer = (byte[]) BUFFER.get(spi);
        long bytesProcessed = (long) BYTES_PROCESSED.get(spi);
        Object words = wordsOf(spi);
        int wordBytes = words instanceof int[] ints ? ints.length * Integer.BYTES : ((long[]) words).length * Long.BYTES;
        ByteBuffer out = ByteBuffer.allocate(Long.BYTES + Integer.BYTES + bufferOffset + wordBytes);
        out.putLong(bytesProcessed).putInt(bufferOffset).put(buffer, 0, bufferOffset);
        if (words instanceof int[] ints) {
            for (int word : ints) {
                out.putInt(word);
            }
        } else {
            for (long word : (long[]) words) {
                out.putLong(word);
            }
        }
        return out.array();
    }

    /** Restores a state {@link #export} wrote into a fresh digest of the same algorithm. */
    static void restore(MessageDigest digest, ByteBuffer in) {
        Object spi = DIGEST_SPI.get(digest);
        long bytesProcessed = in.getLong();
        int bufferOffset = in.getInt();
        byte[] buffer = (byte[]) BUFFER.get(spi);
        if (bytesProcessed < 0 || bufferOffset < 0 || bufferOffset >= buffer.length
                || bytesProcessed % buffer.length != bufferOffset) {
            throw new IllegalArgumentException("inconsistent digest state");
        }
        in.get(buffer, 0, bufferOffset);
        Object words = wordsOf(spi);
        if (words instanceof int[] ints) {
            for (int i = 0; i < ints.length; i++) {
                ints[i] = in.getInt();
            }
        } else {
            long[] longs = (long[]) words;
            for (int i = 0; i < longs.length; i++) {
                longs[i] = in.getLong();
            }
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException("trailing bytes in digest state");
        }
        BUFFER_OFFSET.set(spi, bufferOffset);
        BYTES_PROCESSED.set(spi, bytesProcessed);
    }

    private static Object wordsOf(Object spi) {
        Class<?> type = spi.getClass();
        while (type != null) {
            switch (type.getName()) {
                case "sun.security.provider.SHA2":
                    return SHA256_STATE.get(spi);
                case "sun.security.provider.SHA5":
                    return SHA512_STATE.get(spi);
                default:
                    type = type.getSuperclass();
            }
        }
        throw new IllegalStateException("not a SUN SHA-2 digest: " + spi.getClass());
    }

    /** Checks that exporting mid-stream and resuming reproduces the JDK's digest, for both algorithms. */
    private static boolean selfTest() {
        try {
            byte[] data = new byte[1000];
            new Random(42).nextBytes(data);
            for (String name : new String[] {"SHA-256", "SHA-512"}) {
                byte[] expected = newDigest(name).digest(data);
                MessageDigest first = newDigest(name);
                first.update(data, 0, 333);
                byte[] state = export(first);
                MessageDigest second = newDigest(name);
                restore(second, ByteBuffer.wrap(state));
                second.update(data, 333, data.length - 333);
                if (!Arrays.equals(expected, second.digest())) {
                    LOG.warnf("Exported %s state does not reproduce the JDK's digest; using BouncyCastle", name);
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            LOG.warnf("The JDK's digest state cannot be restored (%s); using BouncyCastle", e.toString());
            return false;
        }
    }
}
