package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The AOT cache (JDK 25): {@code src/main/aot/train.sh} records one from a training run of the packaged
 * server, and Berth started with it loads its own classes from the cache and serves skopeo as usual.
 *
 * <p>The server starts with {@code -XX:AOTMode=on}, which makes the JVM refuse to start when the cache
 * does not fit (another JDK, another class path) instead of ignoring it with a warning.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class AotCacheTest {

    /** The property the build sets to the training script's path. */
    private static final String TRAIN_SCRIPT_PROPERTY = "berth.aot.train-script";
    private static final String FROM_CACHE = "source: shared objects file";

    @RegisterExtension
    static final BerthFixture berth = BerthFixture.perTest("aot-cache");

    @Test
    void berthStartsFromTheCacheItsTrainingRecordedAndServesSkopeo() throws Exception {
        if (Runtime.version().feature() < 25) {
            E2e.unavailable("an AOT cache with profiles needs JDK 25 or newer; these tests run on "
                    + Runtime.version());
        }
        ContainerTools.requireSkopeo();
        Path dir = berth.dir();
        Path app = E2e.serverJar().getParent();
        Path cache = dir.resolve("berth.aot");

        train(app, cache);
        assertTrue(Files.size(cache) > 10L << 20, "the cache is suspiciously small: " + Files.size(cache) + " bytes");

        Path classLog = dir.resolve("class-load.log");
        BerthServer server = berth.start(BerthServer.builder(dir.resolve("data"))
                .jvmOption("-XX:AOTCache=" + cache)
                .jvmOption("-XX:AOTMode=on")
                .jvmOption("-Xlog:class+load=info:file=" + classLog));

        try (ContainerTools tools = ContainerTools.create(dir, "skopeo", server.registry())) {
            tools.login(server.registry(), server.adminUser(), server.adminPassword());
            Path layout = tools.newDir("source");
            OciLayout.Image source = TestImage.write(layout, "1", true);
            String repository = "docker://" + server.registry() + "/e2e/aot";
            tools.skopeo("copy", "--dest-tls-verify=false", "oci:" + layout + ":1", repository + ":1");
            Path out = tools.newDir("pulled");
            tools.skopeo("copy", "--src-tls-verify=false", repository + ":1", "oci:" + out + ":1");
            OciLayout.Image pulled = OciLayout.read(out, "1");
            assertEquals(source.manifestDigest(), pulled.manifestDigest());
            assertEquals(source.layerDigests(), pulled.layerDigests());
        }

        // Berth's own classes, not only the JDK's, come from the cache: the aot-jar packaging puts
        // them on the class path, where the JVM can cache them.
        List<String> fromCache;
        try (Stream<String> lines = Files.lines(classLog)) {
            fromCache = lines.filter(line -> line.contains(FROM_CACHE)).toList();
        }
        for (String berthClass : List.of("io.berth.server.api.v2.", "io.berth.storage.", "io.berth.metadata.",
                "io.berth.auth.")) {
            assertTrue(fromCache.stream().anyMatch(line -> line.contains(" " + berthClass)),
                    "no class of " + berthClass + " was loaded from the cache (" + fromCache.size()
                            + " classes were)");
        }
    }

    private void train(Path app, Path cache) throws IOException, InterruptedException {
        Path dir = berth.dir();
        String script = System.getProperty(TRAIN_SCRIPT_PROPERTY);
        assertTrue(script != null && Files.isRegularFile(Path.of(script)),
                "the system property " + TRAIN_SCRIPT_PROPERTY + " does not name the training script: " + script);
        Path log = dir.resolve("train.log");
        Path workingDir = Files.createDirectories(dir.resolve("training-cwd"));
        int port = BerthServer.freePort();
        ProcessBuilder builder = new ProcessBuilder("bash", script, app.toString(), cache.toString())
                .directory(workingDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("BERTH_") || name.startsWith("QUARKUS_"));
        builder.environment().put("JAVA", ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        builder.environment().put("BERTH_AOT_TRAIN_PORT", Integer.toString(port));
        builder.environment().put("BERTH_AOT_TRAIN_DB_PORT", Integer.toString(BerthServer.freePort(port)));
        Process training = builder.start();
        if (!training.waitFor(6, TimeUnit.MINUTES)) {
            training.descendants().forEach(ProcessHandle::destroy);
            training.destroy();
            throw new AssertionError("the training did not end within 6 minutes:\n" + tail(log));
        }
        assertEquals(0, training.exitValue(), "the training failed:\n" + tail(log));
        assertTrue(Files.isRegularFile(cache), "the training wrote no cache:\n" + tail(log));
        try (Stream<Path> left = Files.list(workingDir)) {
            assertEquals(List.of(), left.toList(), "the training left files in its working directory");
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
