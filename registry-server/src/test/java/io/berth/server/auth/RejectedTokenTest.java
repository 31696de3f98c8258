package io.berth.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.berth.auth.token.SigningKeys;
import io.berth.server.api.RegistryClient;
import io.berth.server.testing.FilesystemStorageProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Tokens the registry must refuse: forged, tampered, expired, early, for another audience or issuer, for
 * another repository; and robots past their expiry or outside their namespaces.
 */
@QuarkusTest
@TestProfile(FilesystemStorageProfile.class)
class RejectedTokenTest {

    private static final String RUN = Long.toString(System.nanoTime() % 1_000_000_000L, 36);

    @Inject
    SigningKeys keys;

    private String repository() {
        return "rejected" + RUN + "/app";
    }

    /** Claims as Berth would issue them for pull and push on {@link #repository()}, valid now. */
    private JwtClaimsBuilder claims() {
        Instant now = Instant.now();
        return Jwt.issuer("berth").subject("admin").audience("berth-registry").issuedAt(now).expiresAt(now.plusSeconds(300))
                .claim("nbf", now.getEpochSecond()).claim("jti", "test-" + System.nanoTime())
                .claim("access", List.of(Map.of("type", "repository", "name", repository(), "actions", List.of("pull", "push"))));
    }

    private String signedWithBerthsKey(JwtClaimsBuilder claims) {
        return claims.jws().keyId(keys.signingKid()).algorithm(SignatureAlgorithm.ES256).sign(keys.signingKey());
    }

    @Test
    void aWellFormedTokenSignedWithBerthsKeyIsAccepted() {
        // The control for every refusal below: the same claims, correctly signed, work.
        Accounts.bearer(signedWithBerthsKey(claims())).get(RegistryClient.tagsPath(repository())).then().statusCode(404);
    }

    @Test
    void anUnsignedTokenIsRefused() {
        String header = base64("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"" + keys.signingKid() + "\"}");
        String payload = signedWithBerthsKey(claims()).split("\\.")[1];
        expectInvalid(header + "." + payload + ".", "algorithm");
    }

    @Test
    void aTokenOfAnUnknownKeyIsRefused() throws Exception {
        expectInvalid(claims().jws().keyId("some-other-key").algorithm(SignatureAlgorithm.ES256).sign(otherKey().getPrivate()),
                "unknown key");
    }

    @Test
    void aTokenWithBerthsKeyIdButAnotherKeysSignatureIsRefused() throws Exception {
        expectInvalid(claims().jws().keyId(keys.signingKid()).algorithm(SignatureAlgorithm.ES256).sign(otherKey().getPrivate()),
                "signature");
    }

    @Test
    void aTokenWhoseClaimsWereChangedAfterSigningIsRefused() {
        String[] parts = signedWithBerthsKey(claims()).split("\\.");
        String widened = base64(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"push\"", "\"push\",\"delete\""));
        expectInvalid(parts[0] + "." + widened + "." + parts[2], "signature");
    }

    @Test
    void anHmacTokenKeyedWithThePublicKeyIsRefused() {
        String token = claims().jws().keyId(keys.signingKid()).algorithm(SignatureAlgorithm.HS256)
                .sign(new SecretKeySpec(keys.verificationKey(keys.signingKid()).orElseThrow().key().getEncoded(), "HmacSHA256"));
        expectInvalid(token, "algorithm");
    }

    @Test
    void expiredAndNotYetValidTokensAreRefused() {
        Instant now = Instant.now();
        expectInvalid(signedWithBerthsKey(claims().issuedAt(now.minusSeconds(900)).expiresAt(now.minusSeconds(600))
                .claim("nbf", now.minusSeconds(900).getEpochSecond())), "expired");
        // Valid from two minutes on: beyond the 30 s allowed for clock skew, before the expiry.
        expectInvalid(signedWithBerthsKey(claims().claim("nbf", now.plusSeconds(120).getEpochSecond())), "not valid yet");
    }

    @Test
    void tokensForAnotherAudienceOrFromAnotherIssuerAreRefused() {
        expectInvalid(signedWithBerthsKey(claims().audience("another-registry")), "another service");
        expectInvalid(signedWithBerthsKey(claims().issuer("someone-else")), "another issuer");
    }

    @Test
    void aTokenForAnotherRepositoryDoesNotOpenThisOne() {
        Response response = Accounts.bearer(signedWithBerthsKey(claims())).get(RegistryClient.tagsPath("elsewhere" + RUN + "/app"));
        RegistryClient.fails(response, 401, "UNAUTHORIZED");
        assertTrue(response.header("WWW-Authenticate").contains("error=\"insufficient_scope\""), response.header("WWW-Authenticate"));
    }

    @Test
    void aRobotPastItsExpiryCannotLogIn() throws Exception {
        String namespace = "robotexp" + RUN;
        String secret = Accounts.robot("exp" + RUN, Map.of(namespace, List.of("pull")), Instant.now().plusSeconds(2).toString());
        String robot = "robot+exp" + RUN;
        Accounts.token(robot, secret, "repository:" + namespace + "/app:pull");
        Accounts.as(robot, secret).get("/v2/").then().statusCode(200);
        Thread.sleep(2500);
        RegistryClient.fails(Accounts.tokenResponse(robot, secret, "repository:" + namespace + "/app:pull"), 401, "UNAUTHORIZED");
        RegistryClient.fails(Accounts.as(robot, secret).get("/v2/"), 401, "UNAUTHORIZED");
    }

    @Test
    void aRobotGetsNothingOutsideItsNamespaces() throws Exception {
        String namespace = "robotns" + RUN;
        String secret = Accounts.robot("ns" + RUN, Map.of(namespace, List.of("pull", "push")), null);
        String robot = "robot+ns" + RUN;
        String token = Accounts.token(robot, secret, "repository:other" + RUN + "/app:pull,push");
        assertEquals(0, TokenEndpointTest.decode(token.split("\\.")[1]).path("access").get(0).path("actions").size());
        RegistryClient.fails(Accounts.bearer(token).post(RegistryClient.uploadsPath("other" + RUN + "/app")), 401, "DENIED");
        RegistryClient.fails(Accounts.as(robot, secret).post(RegistryClient.uploadsPath("other" + RUN + "/app")), 403, "DENIED");
        Accounts.as(robot, secret).post(RegistryClient.uploadsPath(namespace + "/app")).then().statusCode(202);
    }

    private void expectInvalid(String token, String reason) {
        Response response = Accounts.bearer(token).get(RegistryClient.tagsPath(repository()));
        RegistryClient.fails(response, 401, "UNAUTHORIZED");
        assertTrue(response.header("WWW-Authenticate").contains("error=\"invalid_token\""), response.header("WWW-Authenticate"));
        assertTrue(response.asString().contains(reason), reason + " not in " + response.asString());
    }

    private static KeyPair otherKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static String base64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
