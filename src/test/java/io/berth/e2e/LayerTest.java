package io.berth.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Layers as podman sends them: gzip and zstd layers ({@code podman push --compression-format}) reach Berth and
 * come back byte for byte (each blob matches its digest and decompresses to the config's {@code diff_id}) and
 * run after a pull; and a second image on the same base sends only its own layer, while a push of it into another
 * repository mounts every layer instead of sending it, as Berth's metrics ({@link BerthMetrics}) count.
 *
 * <p>One server serves the class; the metrics tests rely on being the only ones talking to it at the time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class LayerTest {

    private static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+";
    private static final byte[] GZIP_MAGIC = {0x1f, (byte) 0x8b};
    private static final byte[] ZSTD_MAGIC = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};

    @RegisterExtension
    static final BerthFixture berth = BerthFixture.perClass("layers");

    private final LocalBase.PerClass bases = new LocalBase.PerClass(berth);

    @Test
    void gzipLayersArePushedAndPulledIntact() throws IOException {
        requireEngines();
        pushAndPullIntact("gzip", GZIP_MAGIC);
    }

    @Test
    void zstdLayersArePushedAndPulledIntact() throws IOException {
        requireEngines();
        E2e.requireTool("zstd", "zstd");
        pushAndPullIntact("zstd", ZSTD_MAGIC);
    }

    /**
     * Builds an image on the local base in a fresh store (so that no layer has a compressed form yet: podman 4.3
     * would reuse a known gzip blob in a zstd push), pushes it with {@code --compression-format <compression>},
     * checks every layer Berth holds and pulls and runs it in a clean store.
     */
    private void pushAndPullIntact(String compression, byte[] magic) throws IOException {
        BerthServer server = berth.server();
        Path testDir = berth.dir().resolve(compression);
        try (ContainerTools builder = ContainerTools.create(testDir, "builder", server.registry()).withShortRunRoot();
                ContainerTools runner = ContainerTools.create(testDir, "runner", server.registry()).withShortRunRoot()) {
            builder.login(server.registry(), server.adminUser(), server.adminPassword());
            runner.login(server.registry(), server.adminUser(), server.adminPassword());
            LocalBase.build(builder);
            byte[] payload = compressiblePayload();
            Path context = builder.newDir("context");
            Files.write(context.resolve("payload.txt"), payload);
            Files.writeString(context.resolve("Dockerfile"), """
                    FROM %s
                    COPY payload.txt /payload.txt
                    CMD ["sha256sum", "/payload.txt"]
                    """.formatted(LocalBase.LOCAL));
            builder.podman("build", "--network", "none", "--tag", "localhost/layers:1", context.toString());
            String repository = "e2e/layers-" + compression;
            String reference = server.registry() + "/" + repository + ":1";
            Path digestFile = builder.dir().resolve("pushed.digest");
            builder.podman("push", "--tls-verify=false", "--format", "oci", "--compression-format", compression,
                    "--digestfile", digestFile.toString(), "localhost/layers:1", "docker://" + reference);
            String pushed = Files.readString(digestFile).trim();

            byte[] manifestBytes = BerthHttp.manifest(server, repository, "1").body();
            assertEquals(pushed, E2e.digestOf(manifestBytes), "Berth serves the manifest podman pushed");
            JsonNode manifest = OciLayout.parse(manifestBytes);
            JsonNode config = OciLayout.parse(BerthHttp.blob(server, repository,
                    manifest.path("config").path("digest").asText()));
            List<String> diffIds = BerthHttp.strings(config.path("rootfs").path("diff_ids"));
            JsonNode layers = manifest.path("layers");
            assertEquals(2, layers.size(), "the base's layer and the COPY layer: " + manifest);
            for (int i = 0; i < layers.size(); i++) {
                JsonNode layer = layers.get(i);
                String digest = layer.path("digest").asText();
                assertEquals(LAYER_TYPE + compression, layer.path("mediaType").asText(), "layer " + i + ": " + manifest);
                byte[] blob = BerthHttp.blob(server, repository, digest);
                assertEquals(layer.path("size").asLong(), blob.length, "layer " + digest + " has its size");
                assertArrayEquals(magic, Arrays.copyOf(blob, magic.length), "layer " + digest + " starts with the "
                        + compression + " magic number");
                assertEquals(diffIds.get(i), uncompressedDigest(runner, compression, blob),
                        "layer " + digest + " decompresses to diff_id " + i);
            }

            runner.podman("pull", "--tls-verify=false", reference);
            JsonNode image = OciLayout.parse(runner.podman("image", "inspect", reference).stdout()).get(0);
            assertEquals(diffIds, BerthHttp.strings(image.path("RootFS").path("Layers")),
                    "podman unpacked the same layers");
            ContainerTools.Result run = runner.podman(AppContext.podmanRun(reference));
            String expected = E2e.digestOf(payload).substring("sha256:".length()) + "  /payload.txt\n";
            assertEquals(expected, run.out(), "the file reads back intact: " + run.describe());
        }
        BerthHttp.assertNothingLeftRunning(testDir);
    }

    @Test
    void aSecondImageSendsOnlyItsNewLayerAndAnotherRepositoryMountsEveryLayer() throws IOException {
        BerthServer server = berth.server();
        requireEngines();
        Path testDir = berth.dir().resolve("reuse");
        try (ContainerTools builder = ContainerTools.create(testDir, "builder", server.registry()).withShortRunRoot();
                ContainerTools runner = ContainerTools.create(testDir, "runner", server.registry()).withShortRunRoot()) {
            builder.login(server.registry(), server.adminUser(), server.adminPassword());
            runner.login(server.registry(), server.adminUser(), server.adminPassword());
            String first = server.registry() + "/e2e/reuse:first";
            String second = server.registry() + "/e2e/reuse:second";
            String elsewhere = server.registry() + "/e2e/reuse-elsewhere:second";
            buildOnBase(builder, "first", first, 1);
            byte[] secondPayload = buildOnBase(builder, "second", second, 2);
            builder.podman("push", "--tls-verify=false", first);

            BerthMetrics before = BerthMetrics.scrape(server);
            ContainerTools.Result push = builder.podman("push", "--tls-verify=false", second);
            BerthMetrics.Uploads sameRepository = BerthMetrics.scrape(server).since(before);
            System.out.println("[layers] second image into e2e/reuse: " + sameRepository);

            JsonNode manifest = OciLayout.parse(BerthHttp.manifest(server, "e2e/reuse", "second").body());
            JsonNode layers = manifest.path("layers");
            assertEquals(2, layers.size(), "the base's layer and the COPY layer: " + manifest);
            long newLayer = layers.get(1).path("size").asLong();
            long config = manifest.path("config").path("size").asLong();
            assertEquals(2, sameRepository.uploaded(), "only the new layer and the config are uploaded: "
                    + sameRepository + "\n" + push.describe());
            assertEquals(newLayer + config, sameRepository.receivedBytes(),
                    "Berth received the new layer (" + newLayer + " bytes) and the config (" + config + " bytes), not the "
                            + layers.get(0).path("size").asLong() + "-byte base layer: " + sameRepository);
            assertEquals(0, sameRepository.mounted(), "the base's layer is already in e2e/reuse: " + sameRepository);

            before = BerthMetrics.scrape(server);
            ContainerTools.Result copy = builder.podman("push", "--tls-verify=false", second, "docker://" + elsewhere);
            BerthMetrics.Uploads otherRepository = BerthMetrics.scrape(server).since(before);
            System.out.println("[layers] second image into e2e/reuse-elsewhere: " + otherRepository);
            assertEquals(layers.size(), otherRepository.mounted(), "every layer is mounted from e2e/reuse: "
                    + otherRepository + "\n" + copy.describe());
            assertTrue(otherRepository.created() >= layers.size(), "each mount is a POST answered 201: "
                    + otherRepository);
            assertTrue(otherRepository.receivedBytes() == 0 || otherRepository.receivedBytes() == config,
                    "no layer's bytes are sent again, at most the " + config + "-byte config: " + otherRepository);

            runner.podman("pull", "--tls-verify=false", elsewhere);
            ContainerTools.Result run = runner.podman(AppContext.podmanRun(elsewhere, "sha256sum", "/payload.bin"));
            assertEquals(E2e.digestOf(secondPayload).substring("sha256:".length()) + "  /payload.bin\n", run.out(),
                    "the image made of mounted layers runs: " + run.describe());
        }
        BerthHttp.assertNothingLeftRunning(testDir);
    }

    /** Builds {@code FROM <berth>/e2e/base:1} plus a 256 KiB random {@code /payload.bin}; returns the payload. */
    private byte[] buildOnBase(ContainerTools builder, String name, String reference, long seed) throws IOException {
        Path context = builder.newDir("context-" + name);
        byte[] payload = new byte[256 << 10];
        new SplittableRandom(seed).nextBytes(payload);
        Files.write(context.resolve("payload.bin"), payload);
        Files.writeString(context.resolve("Dockerfile"), """
                ARG BASE
                FROM ${BASE}
                COPY payload.bin /payload.bin
                """);
        builder.podman("build", "--network", "none", "--build-arg", "BASE=" + bases.reference(), "--tag", reference,
                context.toString());
        return payload;
    }

    /** Returns 512 KiB of text that compresses well (numbered lines), so that compression shows in the layer. */
    private static byte[] compressiblePayload() {
        StringBuilder text = new StringBuilder();
        for (int line = 0; text.length() < (512 << 10); line++) {
            text.append("line ").append(line).append(" of the payload that Berth must keep intact\n");
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Decompresses a layer (gzip here, zstd with the {@code zstd} tool) and returns its digest. */
    private static String uncompressedDigest(ContainerTools tools, String compression, byte[] blob) throws IOException {
        if ("gzip".equals(compression)) {
            var sha = E2e.sha256();
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(blob))) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha.update(buffer, 0, n);
                }
            }
            return "sha256:" + HexFormat.of().formatHex(sha.digest());
        }
        Path work = tools.newDir("zstd");
        Path compressed = Files.write(work.resolve(E2e.digestOf(blob).substring(7) + ".tar.zst"), blob);
        Path tar = work.resolve(E2e.digestOf(blob).substring(7) + ".tar");
        tools.run(ContainerTools.DEFAULT_TIMEOUT, List.of("zstd", "--decompress", "--quiet", "--force",
                "-o", tar.toString(), compressed.toString()));
        return E2e.digestOf(tar);
    }

    private static void requireEngines() {
        ContainerTools.requireContainerRuntime();
        ContainerTools.requireSkopeo();
        ContainerTools.requireBuildah();
        LocalBase.requireBusybox();
    }
}
