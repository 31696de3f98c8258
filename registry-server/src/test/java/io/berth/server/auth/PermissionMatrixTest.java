package io.berth.server.auth;

import static io.berth.server.api.RegistryClient.manifestPath;
import static io.berth.server.api.RegistryClient.query;
import static io.berth.server.api.RegistryClient.uploadsPath;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.berth.server.api.OciContent;
import io.berth.server.api.RegistryClient;
import io.berth.server.testing.FilesystemStorageProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of caller against every API action on a private repository of an organization, once with
 * HTTP Basic on the registry API and once through the token flow: what each may do succeeds, what it may
 * not do is refused: 401 UNAUTHORIZED with a challenge when nobody is logged in; DENIED when a logged-in
 * caller is refused, as 403 over Basic and as a 401 with an {@code insufficient_scope} challenge over a
 * token (so a client that asked for too little fetches a better token, and shows DENIED if it gets none).
 */
@QuarkusTest
@TestProfile(FilesystemStorageProfile.class)
class PermissionMatrixTest {

    private static final String RUN = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    private static final String ORG = "matrix" + RUN;
    private static final String REPO = ORG + "/app";
    private static String robotSecret;

    /** Who asks, and what they may do: pull, push, delete, see the repository in the catalog. */
    enum Caller {
        ANONYMOUS(null, false, false, false),
        READER("reader", true, false, false),
        WRITER("writer", true, true, false),
        DELETER("deleter", true, true, true),
        ORG_ADMIN("orgadmin", true, true, true),
        ADMINISTRATOR("admin", true, true, true),
        ROBOT("robot+matrix", true, true, false),
        OUTSIDER("outsider", false, false, false);

        final String user;
        final boolean pull;
        final boolean push;
        final boolean delete;

        Caller(String user, boolean pull, boolean push, boolean delete) {
            this.user = user;
            this.pull = pull;
            this.push = push;
            this.delete = delete;
        }

        String account(String run) {
            if (user == null || this == ADMINISTRATOR) {
                return user;
            }
            return this == ROBOT ? "robot+matrix" + run : user + run;
        }

        String password() {
            return switch (this) {
                case ADMINISTRATOR -> io.berth.server.testing.TestAccounts.ADMIN_PASSWORD;
                case ROBOT -> robotSecret;
                default -> Accounts.PASSWORD;
            };
        }
    }

    @BeforeEach
    void createAccountsOnce() {
        synchronized (PermissionMatrixTest.class) {
            if (robotSecret != null) {
                return;
            }
            Accounts.organization(ORG);
            Map<Caller, String> roles = Map.of(Caller.READER, "read", Caller.WRITER, "write", Caller.DELETER, "delete",
                    Caller.ORG_ADMIN, "admin");
            for (Caller caller : List.of(Caller.READER, Caller.WRITER, Caller.DELETER, Caller.ORG_ADMIN, Caller.OUTSIDER)) {
                Accounts.user(caller.account(RUN));
                if (roles.containsKey(caller)) {
                    Accounts.member(ORG, caller.account(RUN), roles.get(caller));
                }
            }
            robotSecret = Accounts.robot("matrix" + RUN, Map.of(ORG, List.of("pull", "push")), null);
            RegistryClient.pushImage(REPO, "v1");
        }
    }

    static Stream<Arguments> callersAndFlows() {
        return Stream.of(Caller.values()).flatMap(caller -> Stream.of(Arguments.of(caller, false), Arguments.of(caller, true)));
    }

    @ParameterizedTest(name = "{0}, token flow: {1}")
    @MethodSource("callersAndFlows")
    void eachCallerMayDoExactlyWhatItsRoleAllows(Caller caller, boolean tokenFlow) {
        RequestSpecification pull = request(caller, tokenFlow, "pull");
        expect(caller, tokenFlow, caller.pull, pull.get(manifestPath(REPO, "v1")), "pull");

        OciContent.Blob blob = OciContent.randomBlob(64);
        Response push = request(caller, tokenFlow, "pull,push").body(blob.bytes())
                .post(query(uploadsPath(REPO), "digest", blob.digest()));
        expect(caller, tokenFlow, caller.push, push, "push");

        String digest = RegistryClient.pushImage(REPO, "del-" + caller + tokenFlow).digest();
        Response delete = request(caller, tokenFlow, "delete").delete(manifestPath(REPO, digest));
        expect(caller, tokenFlow, caller.delete, delete, "delete");
    }

    @ParameterizedTest(name = "{0}, token flow: {1}")
    @MethodSource("callersAndFlows")
    void theCatalogListsOnlyWhatTheCallerMayPull(Caller caller, boolean tokenFlow) {
        RequestSpecification request = caller == Caller.ANONYMOUS ? RegistryClient.anonymous()
                : tokenFlow ? Accounts.bearer(Accounts.token(caller.account(RUN), caller.password(), "registry:catalog:*"))
                : Accounts.as(caller.account(RUN), caller.password());
        Response catalog = request.get("/v2/_catalog?n=10000");
        if (caller == Caller.ANONYMOUS) {
            catalog.then().statusCode(401).header("WWW-Authenticate", startsWith("Bearer realm="));
            return;
        }
        catalog.then().statusCode(200).body("repositories", caller.pull ? hasItem(REPO) : not(hasItem(REPO)));
    }

    @ParameterizedTest(name = "token flow: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aMountWithoutSourceIsAnUploadForAnyoneButAdministrators(boolean tokenFlow) {
        // The blob is in the registry, in a repository the writer cannot read.
        OciContent.Blob secret = RegistryClient.pushRandomBlob("hidden" + RUN + "/app", 100);
        Response mount = request(Caller.WRITER, tokenFlow, "pull,push")
                .post(query(uploadsPath(REPO), "mount", secret.digest()));
        mount.then().statusCode(202);
        RegistryClient.request().head(RegistryClient.blobPath(REPO, secret.digest())).then().statusCode(404);

        request(Caller.ADMINISTRATOR, tokenFlow, "pull,push").post(query(uploadsPath(REPO), "mount", secret.digest()))
                .then().statusCode(201);
    }

    @ParameterizedTest(name = "token flow: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aMountFromARepositoryTheCallerCannotPullIsAnUpload(boolean tokenFlow) {
        OciContent.Blob secret = RegistryClient.pushRandomBlob("private" + RUN + "/app", 100);
        request(Caller.WRITER, tokenFlow, "pull,push")
                .post(query(uploadsPath(REPO), "mount", secret.digest(), "from", "private" + RUN + "/app"))
                .then().statusCode(202);
        // From a repository it may pull, the mount happens (a client asks one token for both repositories).
        OciContent.Blob own = RegistryClient.pushRandomBlob(REPO, 100);
        String writer = Caller.WRITER.account(RUN);
        RequestSpecification both = tokenFlow
                ? Accounts.bearer(Accounts.token(writer, Accounts.PASSWORD, "repository:" + ORG + "/other:pull,push",
                        "repository:" + REPO + ":pull"))
                : Accounts.as(writer, Accounts.PASSWORD);
        both.post(query(uploadsPath(ORG + "/other"), "mount", own.digest(), "from", REPO)).then().statusCode(201);
    }

    private static RequestSpecification request(Caller caller, boolean tokenFlow, String actions) {
        if (caller == Caller.ANONYMOUS) {
            return tokenFlow
                    ? Accounts.bearer(Accounts.token(null, null, "repository:" + REPO + ":" + actions))
                    : RegistryClient.anonymous();
        }
        return tokenFlow
                ? Accounts.bearer(Accounts.token(caller.account(RUN), caller.password(), "repository:" + REPO + ":" + actions))
                : Accounts.as(caller.account(RUN), caller.password());
    }

    private static void expect(Caller caller, boolean tokenFlow, boolean allowed, Response response, String action) {
        int status = response.statusCode();
        String what = caller + " " + action + ": " + status + " " + response.asString();
        if (allowed) {
            assertEquals(true, status >= 200 && status < 300, what);
            return;
        }
        if (caller == Caller.ANONYMOUS) {
            assertEquals(401, status, what);
            assertEquals(true, response.header("WWW-Authenticate").contains("scope=\"repository:" + REPO + ":"), what);
            RegistryClient.fails(response, 401, "UNAUTHORIZED");
        } else if (tokenFlow) {
            RegistryClient.fails(response, 401, "DENIED");
            assertEquals(true, response.header("WWW-Authenticate").contains("error=\"insufficient_scope\""), what);
        } else {
            RegistryClient.fails(response, 403, "DENIED");
        }
    }
}
