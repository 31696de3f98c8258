package io.berth.auth;

import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/** bcrypt through BouncyCastle ({@code $2b$}, cost 10): slow on purpose, salted per password. */
@ApplicationScoped
public class PasswordHasher {

    /** About 50-100 ms per check on a small machine: cheap for a login, costly for a guesser. */
    private static final int COST = 10;
    /** bcrypt reads at most 72 bytes of a password. */
    private static final int MAX_PASSWORD_BYTES = 72;

    private final SecureRandom random = new SecureRandom();

    public String hash(String password) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return OpenBSDBCrypt.generate("2b", password.toCharArray(), salt, COST);
    }

    public boolean matches(String password, String hash) {
        try {
            return OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
        } catch (IllegalArgumentException | org.bouncycastle.crypto.DataLengthException e) {
            return false;
        }
    }

    /** Returns whether a password can be hashed without bcrypt silently dropping its end. */
    public static boolean fits(String password) {
        return password.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_PASSWORD_BYTES;
    }
}
