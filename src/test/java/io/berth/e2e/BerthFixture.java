package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The folder and the Berth servers of an end-to-end test class, or of each of its tests: a JUnit extension,
 * registered with {@code @RegisterExtension} on a static field.
 *
 * <ul>
 *   <li>{@link #perClass} makes the folder and starts one server on the embedded default (its data in
 *       {@code <folder>/data}) before all tests of the class; {@link #folderPerClass} makes only the folder, in
 *       which the class's own {@code @BeforeAll} starts what it needs. After all tests the servers are stopped,
 *       and the class fails if one of them left its embedded PostgreSQL running.
 *   <li>{@link #perTest} starts nothing: a test makes the folder with {@link #dir()} once it knows that it runs
 *       (after its skips) and starts its servers with {@link #start}. After each test they are stopped; the
 *       tests that care how (RestartTest) check the {@link BerthServer.Shutdown} themselves.
 * </ul>
 *
 * <p>Before the servers stop, what was registered with {@link #closing} is closed, last first. Then the folder
 * is deleted, unless {@link E2e#keep()} or a check failed: a failure keeps it for inspection.
 */
final class BerthFixture implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {

    private final String name;
    private final boolean perClass;
    private final boolean startsServer;
    private final List<BerthServer> servers = new ArrayList<>();
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private Path dir;

    private BerthFixture(String name, boolean perClass, boolean startsServer) {
        this.name = name;
        this.perClass = perClass;
        this.startsServer = startsServer;
    }

    /** One server on the embedded default for all tests of the class, in a folder named after {@code name}. */
    static BerthFixture perClass(String name) {
        return new BerthFixture(name, true, true);
    }

    /** A folder for all tests of the class, in which the class's {@code @BeforeAll} starts its servers. */
    static BerthFixture folderPerClass(String name) {
        return new BerthFixture(name, true, false);
    }

    /** A folder and servers of each test's own, made when the test asks for them. */
    static BerthFixture perTest(String name) {
        return new BerthFixture(name, false, false);
    }

    /** Returns the folder, {@code <work dir>/<name>-<time>-<pid>-<n>}, made by the first call. */
    synchronized Path dir() {
        if (dir == null) {
            dir = E2e.newTestDir(name);
        }
        return dir;
    }

    /** Starts the server and returns it once it is ready; it is stopped with the fixture. */
    synchronized BerthServer start(BerthServer.Builder builder) {
        BerthServer server = builder.start();
        servers.add(server);
        return server;
    }

    /** Returns the server started last. */
    synchronized BerthServer server() {
        if (servers.isEmpty()) {
            throw new IllegalStateException("no server was started in " + name);
        }
        return servers.getLast();
    }

    /** Has {@code resource} closed before the servers stop (the last one registered first); returns it. */
    synchronized <T extends AutoCloseable> T closing(T resource) {
        resources.push(resource);
        return resource;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (startsServer) {
            start(BerthServer.builder(dir().resolve("data")));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            tearDown();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (perClass) {
            tearDown();
        }
    }

    private synchronized void tearDown() throws Exception {
        try {
            List<BerthServer.Shutdown> shutdowns = new ArrayList<>();
            try {
                while (!resources.isEmpty()) {
                    resources.pop().close();
                }
            } finally {
                servers.forEach(server -> shutdowns.add(server.stop()));
            }
            if (perClass) {
                for (BerthServer.Shutdown shutdown : shutdowns) {
                    assertFalse(shutdown.postgresLeftBehind(),
                            "the server left its embedded PostgreSQL running: " + shutdown);
                }
            }
            if (dir != null && !E2e.keep()) {
                E2e.deleteTree(dir);
            }
        } finally {
            resources.clear();
            servers.clear();
            dir = null;
        }
    }
}
