package io.berth.auth.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.auth.Action;
import io.berth.auth.Principal;
import io.berth.auth.Scope;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenServiceTest {

    private static final Principal ALICE = new Principal("alice", Principal.Kind.USER, Optional.of(1L), false,
            Map.of("alice", Action.ALL), Optional.empty());

    @TempDir
    Path dir;

    @Test
    void theGeneratedKeyIsKeptPrivateAndReusedOnTheNextStart() throws IOException {
        SigningKeys first = new SigningKeys(TestAuthConfig.in(dir));
        Path file = dir.resolve(SigningKeys.GENERATED_KEY_FILE);
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE), Files.getPosixFilePermissions(file));
        SigningKeys second = new SigningKeys(TestAuthConfig.in(dir));
        assertEquals(first.signingKid(), second.signingKid());
        assertEquals("ES256", second.signingAlgorithm());
    }

    @Test
    void aTokenCarriesItsGrantAndVerifies() {
        TokenService tokens = new TokenService(new SigningKeys(TestAuthConfig.in(dir)), TestAuthConfig.in(dir));
        IssuedToken issued = tokens.issue(ALICE, List.of(Scope.repository("alice/app", Set.of(Action.PULL, Action.PUSH)),
                Scope.repository("bob/app", Set.of()), Scope.catalog()));
        VerifiedToken verified = tokens.verify(issued.token());
        assertEquals("alice", verified.subject());
        assertEquals(Optional.of(Set.of(Action.PULL, Action.PUSH)), verified.actionsOn("alice/app"));
        assertEquals(Optional.of(Set.of()), verified.actionsOn("bob/app"));
        assertEquals(Optional.empty(), verified.actionsOn("carol/app"));
        assertTrue(verified.grantsCatalog());
    }

    @Test
    void aRememberedTokenDoesNotVouchForATamperedCopy() {
        TokenService tokens = new TokenService(new SigningKeys(TestAuthConfig.in(dir)), TestAuthConfig.in(dir));
        String token = tokens.issue(ALICE, List.of(Scope.repository("alice/app", Set.of(Action.PULL)))).token();
        assertEquals(tokens.verify(token), tokens.verify(token));

        // The same header and claims under another signature, and the same signature under other claims.
        String[] parts = token.split("\\.");
        char last = parts[2].charAt(parts[2].length() - 2);
        String otherSignature = parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 2)
                + (last == 'A' ? 'B' : 'A') + parts[2].charAt(parts[2].length() - 1);
        String otherClaims = tokens.issue(ALICE, List.of(Scope.repository("alice/app", Set.of(Action.PULL, Action.PUSH))))
                .token().split("\\.")[1];
        String grafted = parts[0] + "." + otherClaims + "." + parts[2];

        assertEquals("the token's signature is invalid",
                assertThrows(InvalidTokenException.class, () -> tokens.verify(otherSignature)).getMessage());
        assertEquals("the token's signature is invalid",
                assertThrows(InvalidTokenException.class, () -> tokens.verify(grafted)).getMessage());
        assertEquals(Optional.of(Set.of(Action.PULL)), tokens.verify(token).actionsOn("alice/app"));
    }

    @Test
    void rsaAndPkcs8EcKeysFromFilesSign() throws Exception {
        for (String algorithm : List.of("RSA", "EC")) {
            Path file = dir.resolve(algorithm + ".pem");
            writePkcs8(file, generate(algorithm));
            TestAuthConfig config = TestAuthConfig.in(dir).signingKey(file);
            SigningKeys keys = new SigningKeys(config);
            assertEquals(algorithm.equals("RSA") ? "RS256" : "ES256", keys.signingAlgorithm());
            TokenService tokens = new TokenService(keys, config);
            assertEquals("alice", tokens.verify(tokens.issue(ALICE, List.of()).token()).subject());
        }
    }

    @Test
    void tokensOfThePreviousKeyStayValidWhileKeysRotate() throws Exception {
        Path oldKey = dir.resolve("old.pem");
        Path newKey = dir.resolve("new.pem");
        writePkcs8(oldKey, generate("EC"));
        writePkcs8(newKey, generate("EC"));
        TestAuthConfig before = TestAuthConfig.in(dir).signingKey(oldKey);
        String oldToken = new TokenService(new SigningKeys(before), before).issue(ALICE, List.of()).token();

        TestAuthConfig rotated = TestAuthConfig.in(dir).signingKey(newKey).verificationKeys(oldKey);
        assertEquals("alice", new TokenService(new SigningKeys(rotated), rotated).verify(oldToken).subject());

        TestAuthConfig forgotten = TestAuthConfig.in(dir).signingKey(newKey);
        InvalidTokenException refused = assertThrows(InvalidTokenException.class,
                () -> new TokenService(new SigningKeys(forgotten), forgotten).verify(oldToken));
        assertEquals("the token is signed with an unknown key", refused.getMessage());
    }

    @Test
    void aTokenForAnotherServiceIsRefused() {
        TestAuthConfig other = TestAuthConfig.in(dir).forService("another-registry");
        String token = new TokenService(new SigningKeys(other), other).issue(ALICE, List.of()).token();
        TestAuthConfig ours = TestAuthConfig.in(dir);
        InvalidTokenException refused = assertThrows(InvalidTokenException.class,
                () -> new TokenService(new SigningKeys(ours), ours).verify(token));
        assertEquals("the token is for another service", refused.getMessage());
    }

    private static KeyPair generate(String algorithm) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("EC")) {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        } else {
            generator.initialize(2048);
        }
        return generator.generateKeyPair();
    }

    private static void writePkcs8(Path file, KeyPair pair) throws IOException {
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.US_ASCII); JcaPEMWriter pem = new JcaPEMWriter(writer)) {
            pem.writeObject(new JcaPKCS8Generator(pair.getPrivate(), null));
        }
    }
}
