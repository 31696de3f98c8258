package io.berth.auth.token;

import io.berth.auth.AuthConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.jboss.logging.Logger;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.lang.JoseException;

/**
 * The keys of registry tokens: one signing key (configured, or generated on first start and kept
 * under the data dir) and every key whose tokens are accepted, by {@code kid} (the key's RFC 7638
 * thumbprint). EC P-256 keys sign with ES256, RSA keys with RS256.
 */
@io.quarkus.runtime.Startup // a bad key file stops the start, not the first login
@ApplicationScoped
public class SigningKeys {

    private static final Logger LOG = Logger.getLogger(SigningKeys.class);
    static final String GENERATED_KEY_FILE = "token-signing-key.pem";

    /** A key that verifies tokens, with its id and algorithm. */
    public record VerificationKey(String kid, String algorithm, PublicKey key) {
    }

    private final String signingKid;
    private final String signingAlgorithm;
    private final PrivateKey signingKey;
    private final Map<String, VerificationKey> verificationKeys = new LinkedHashMap<>();

    public SigningKeys(AuthConfig config) {
        KeyPair signing = config.token().signingKeyFile()
                .map(SigningKeys::readKeyPair)
                .orElseGet(() -> generatedKeyPair(config.token().keyDir()));
        this.signingKey = signing.getPrivate();
        this.signingAlgorithm = algorithmOf(signing.getPublic());
        this.signingKid = kidOf(signing.getPublic());
        verificationKeys.put(signingKid, new VerificationKey(signingKid, signingAlgorithm, signing.getPublic()));
        for (Path file : config.token().verificationKeyFiles().orElse(List.of())) {
            PublicKey key = readPublicKey(file);
            String kid = kidOf(key);
            verificationKeys.putIfAbsent(kid, new VerificationKey(kid, algorithmOf(key), key));
        }
        LOG.infof("Registry tokens are signed with %s key %s; %d key(s) accepted", signingAlgorithm, signingKid,
                verificationKeys.size());
    }

    public PrivateKey signingKey() {
        return signingKey;
    }

    public String signingKid() {
        return signingKid;
    }

    /** {@code ES256} or {@code RS256}. */
    public String signingAlgorithm() {
        return signingAlgorithm;
    }

    public Optional<VerificationKey> verificationKey(String kid) {
        return Optional.ofNullable(kid).map(verificationKeys::get);
    }

    /** Returns the key pair in the key dir, generating an EC P-256 key there (mode 0600) on first start. */
    static KeyPair generatedKeyPair(Path keyDir) {
        Path file = keyDir.resolve(GENERATED_KEY_FILE);
        if (Files.exists(file)) {
            return readKeyPair(file);
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            Files.createDirectories(keyDir);
            Path temporary = Files.createTempFile(keyDir, GENERATED_KEY_FILE, ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (Writer writer = Files.newBufferedWriter(temporary, StandardCharsets.US_ASCII);
                    JcaPEMWriter pem = new JcaPEMWriter(writer)) {
                pem.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(pair.getPrivate(), null));
            }
            Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            LOG.infof("Generated a token signing key in %s (configure berth.auth.token.signing-key-file to share one "
                    + "between replicas)", file);
            return pair;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the token signing key to " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an EC P-256 key", e);
        }
    }

    /** Reads a PEM private key (PKCS#8, SEC1 or PKCS#1) and derives its public key. */
    static KeyPair readKeyPair(Path file) {
        Object parsed = readPem(file);
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try {
            if (parsed instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair);
            }
            if (parsed instanceof PrivateKeyInfo info) {
                PrivateKey key = converter.getPrivateKey(info);
                return new KeyPair(publicKeyOf(key), key);
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the private key in " + file + ": " + e.getMessage(), e);
        }
        throw new IllegalStateException(file + " holds no private key (expected a PEM EC or RSA private key)");
    }

    /** Reads a PEM public key, certificate or private key and returns the public key. */
    static PublicKey readPublicKey(Path file) {
        Object parsed = readPem(file);
        try {
            if (parsed instanceof SubjectPublicKeyInfo info) {
                return new JcaPEMKeyConverter().getPublicKey(info);
            }
            if (parsed instanceof X509CertificateHolder holder) {
                X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(holder);
                return certificate.getPublicKey();
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the key in " + file + ": " + e.getMessage(), e);
        }
        return readKeyPair(file).getPublic();
    }

    private static Object readPem(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(reader)) {
            Object parsed = parser.readObject();
            if (parsed == null) {
                throw new IllegalStateException(file + " holds no PEM object");
            }
            return parsed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the key file " + file, e);
        }
    }

    private static PublicKey publicKeyOf(PrivateKey key) throws GeneralSecurityException {
        if (key instanceof RSAPrivateCrtKey rsa) {
            return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
        }
        if (key instanceof ECPrivateKey ec) {
            // Q = d·G, computed with BouncyCastle's curve arithmetic, then given the JDK key's named curve.
            org.bouncycastle.jce.interfaces.ECPrivateKey bc = (org.bouncycastle.jce.interfaces.ECPrivateKey)
                    KeyFactory.getInstance("EC", new BouncyCastleProvider()).translateKey(key);
            org.bouncycastle.math.ec.ECPoint q = bc.getParameters().getG().multiply(bc.getD()).normalize();
            java.security.spec.ECPoint point = new java.security.spec.ECPoint(
                    q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
            return KeyFactory.getInstance("EC").generatePublic(new java.security.spec.ECPublicKeySpec(point, ec.getParams()));
        }
        throw new IllegalStateException("unsupported key type " + key.getAlgorithm() + " (use EC P-256 or RSA)");
    }

    private static String algorithmOf(PublicKey key) {
        if (key instanceof ECPublicKey ec) {
            if (ec.getParams().getCurve().getField().getFieldSize() != 256) {
                throw new IllegalStateException("EC token keys must be on P-256 (ES256)");
            }
            return "ES256";
        }
        if (key.getAlgorithm().equals("RSA")) {
            return "RS256";
        }
        throw new IllegalStateException("unsupported key type " + key.getAlgorithm() + " (use EC P-256 or RSA)");
    }

    private static String kidOf(PublicKey key) {
        try {
            return PublicJsonWebKey.Factory.newPublicJwk(key).calculateBase64urlEncodedThumbprint("SHA-256");
        } catch (JoseException e) {
            throw new IllegalStateException("cannot compute the key id", e);
        }
    }
}
