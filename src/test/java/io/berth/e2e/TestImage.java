package io.berth.e2e;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a small multi-layer Linux image as an OCI image layout, with no network and no tool: the tar
 * layers, their gzip, the config, the manifest and {@code index.json} are all written here.
 *
 * <p>The image has four layers, each building on the one before:
 * <ol>
 *   <li>{@code /bin/busybox}: the machine's statically linked busybox (Debian's busybox-static) when there is
 *       one, so that the image can run; otherwise a placeholder;</li>
 *   <li>{@code /etc/berth/hello.txt} ("hello from the second layer");</li>
 *   <li>{@code /opt/berth/random.bin}: 3 MiB of seeded random bytes that gzip cannot shrink;</li>
 *   <li>{@code /etc/berth/hello.txt} replaced by {@link #HELLO} and {@code /opt/berth/random.bin} deleted
 *       by a whiteout ({@code .wh.random.bin}).</li>
 * </ol>
 * Its command is {@code /bin/busybox cat /etc/berth/hello.txt}.
 */
public final class TestImage {

    /** The content of {@code /etc/berth/hello.txt} in the finished image. */
    public static final String HELLO = "hello from Berth's top layer\n";
    /** Where Debian's busybox-static installs its binary. */
    public static final Path BUSYBOX = Path.of("/bin/busybox");

    private static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
    private static final String CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
    private static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
    private static final String CREATED = "2026-01-01T00:00:00Z";
    private static final long MTIME = 1767225600L; // CREATED in seconds

    private TestImage() {
    }

    /** Returns whether the image written here can run: the machine has a statically linked /bin/busybox. */
    public static boolean runnable() {
        return staticBusybox().isPresent();
    }

    /**
     * Writes the image into a new OCI layout at {@code layout}, tagged {@code tag}, and returns it as read
     * back. With {@code manifestMediaType} false the manifest omits its optional {@code mediaType} field, as
     * umoci's do.
     */
    public static OciLayout.Image write(Path layout, String tag, boolean manifestMediaType) {
        try {
            Files.createDirectories(layout.resolve("blobs/sha256"));
            Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");

            List<Layer> layers = new ArrayList<>();
            Tar busybox = new Tar().dir("bin/");
            Optional<byte[]> binary = staticBusybox();
            busybox.file("bin/busybox", 0755, binary.orElse("#!/bin/sh\necho 'no static busybox'\n"
                    .getBytes(StandardCharsets.UTF_8)));
            layers.add(Layer.of("busybox", busybox));
            layers.add(Layer.of("etc", new Tar().dir("etc/").dir("etc/berth/")
                    .file("etc/berth/hello.txt", 0644, bytes("hello from the second layer\n"))));
            byte[] random = new byte[3 << 20];
            new SplittableRandom(20260101L).nextBytes(random);
            layers.add(Layer.of("data", new Tar().dir("opt/").dir("opt/berth/")
                    .file("opt/berth/random.bin", 0644, random)));
            layers.add(Layer.of("top", new Tar().dir("etc/").dir("etc/berth/")
                    .file("etc/berth/hello.txt", 0644, bytes(HELLO))
                    .dir("opt/").dir("opt/berth/")
                    .file("opt/berth/.wh.random.bin", 0644, new byte[0])));

            ObjectNode config = OciLayout.JSON.createObjectNode();
            config.put("created", CREATED);
            config.put("architecture", architecture());
            config.put("os", "linux");
            ObjectNode runtime = config.putObject("config");
            runtime.putArray("Env").add("PATH=/bin");
            runtime.putArray("Cmd").add("/bin/busybox").add("cat").add("/etc/berth/hello.txt");
            runtime.putObject("Labels").put("org.opencontainers.image.title", "berth-e2e");
            ObjectNode rootfs = config.putObject("rootfs");
            rootfs.put("type", "layers");
            ArrayNode diffIds = rootfs.putArray("diff_ids");
            ArrayNode history = config.putArray("history");
            for (Layer layer : layers) {
                diffIds.add(layer.diffId());
                history.addObject().put("created", CREATED).put("created_by", "berth e2e: " + layer.name());
            }
            byte[] configBytes = OciLayout.JSON.writeValueAsBytes(config);
            String configDigest = writeBlob(layout, configBytes);

            ObjectNode manifest = OciLayout.JSON.createObjectNode();
            manifest.put("schemaVersion", 2);
            if (manifestMediaType) {
                manifest.put("mediaType", MANIFEST_TYPE);
            }
            manifest.putObject("config").put("mediaType", CONFIG_TYPE).put("digest", configDigest)
                    .put("size", configBytes.length);
            ArrayNode layerArray = manifest.putArray("layers");
            for (Layer layer : layers) {
                String digest = writeBlob(layout, layer.gzipped());
                layerArray.addObject().put("mediaType", LAYER_TYPE).put("digest", digest)
                        .put("size", layer.gzipped().length);
            }
            manifest.putObject("annotations").put("org.opencontainers.image.description",
                    "Berth end-to-end test image");
            byte[] manifestBytes = OciLayout.JSON.writeValueAsBytes(manifest);
            String manifestDigest = writeBlob(layout, manifestBytes);

            ObjectNode index = OciLayout.JSON.createObjectNode();
            index.put("schemaVersion", 2);
            index.put("mediaType", "application/vnd.oci.image.index.v1+json");
            index.putArray("manifests").addObject()
                    .put("mediaType", MANIFEST_TYPE)
                    .put("digest", manifestDigest)
                    .put("size", manifestBytes.length)
                    .putObject("annotations").put("org.opencontainers.image.ref.name", tag);
            Files.write(layout.resolve("index.json"), OciLayout.JSON.writeValueAsBytes(index));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the test image to " + layout, e);
        }
        return OciLayout.read(layout, tag);
    }

    private static String writeBlob(Path layout, byte[] content) throws IOException {
        String digest = E2e.digestOf(content);
        Files.write(layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length())), content);
        return digest;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String architecture() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "s390x" -> "s390x";
            case "ppc64le" -> "ppc64le";
            default -> System.getProperty("os.arch");
        };
    }

    /** Returns /bin/busybox's bytes when it is a statically linked ELF (no PT_INTERP program header). */
    private static Optional<byte[]> staticBusybox() {
        if (!Files.isRegularFile(BUSYBOX)) {
            return Optional.empty();
        }
        try (RandomAccessFile elf = new RandomAccessFile(BUSYBOX.toFile(), "r")) {
            byte[] ident = new byte[16];
            elf.readFully(ident);
            if (ident[0] != 0x7f || ident[1] != 'E' || ident[2] != 'L' || ident[3] != 'F' || ident[4] != 2
                    || ident[5] != 1) {
                return Optional.empty(); // only 64-bit little-endian ELF is checked
            }
            elf.seek(0x20);
            long programHeaders = Long.reverseBytes(elf.readLong());
            elf.seek(0x36);
            int entrySize = Short.toUnsignedInt(Short.reverseBytes(elf.readShort()));
            int entries = Short.toUnsignedInt(Short.reverseBytes(elf.readShort()));
            for (int i = 0; i < entries; i++) {
                elf.seek(programHeaders + (long) i * entrySize);
                if (Integer.reverseBytes(elf.readInt()) == 3) { // PT_INTERP: dynamically linked
                    return Optional.empty();
                }
            }
            return Optional.of(Files.readAllBytes(BUSYBOX));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A finished layer: its gzipped tar and both digests. */
    private record Layer(String name, byte[] gzipped, String diffId) {
        static Layer of(String name, Tar tar) throws IOException {
            byte[] plain = tar.finish();
            ByteArrayOutputStream compressed = new ByteArrayOutputStream();
            try (GZIPOutputStream gzip = new GZIPOutputStream(compressed)) {
                gzip.write(plain);
            }
            return new Layer(name, compressed.toByteArray(), E2e.digestOf(plain));
        }
    }

    /** A minimal ustar writer: directories and regular files owned by root, with a fixed mtime. */
    private static final class Tar {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Tar dir(String name) {
            header(name, 0755, 0, '5');
            return this;
        }

        Tar file(String name, int mode, byte[] content) {
            header(name, mode, content.length, '0');
            out.writeBytes(content);
            pad(content.length);
            return this;
        }

        byte[] finish() {
            out.writeBytes(new byte[1024]);
            return out.toByteArray();
        }

        private void header(String name, int mode, long size, char type) {
            byte[] nameBytes = bytes(name);
            if (nameBytes.length > 100) {
                throw new IllegalArgumentException("name too long for this tar writer: " + name);
            }
            byte[] header = new byte[512];
            System.arraycopy(nameBytes, 0, header, 0, nameBytes.length);
            octal(header, 100, 8, mode);
            octal(header, 108, 8, 0);
            octal(header, 116, 8, 0);
            octal(header, 124, 12, size);
            octal(header, 136, 12, MTIME);
            header[156] = (byte) type;
            put(header, 257, "ustar\0");
            put(header, 263, "00");
            put(header, 265, "root");
            put(header, 297, "root");
            octal(header, 329, 8, 0);
            octal(header, 337, 8, 0);
            Arrays.fill(header, 148, 156, (byte) ' ');
            long sum = 0;
            for (byte b : header) {
                sum += b & 0xff;
            }
            byte[] checksum = bytes(String.format("%06o", sum));
            System.arraycopy(checksum, 0, header, 148, 6);
            header[154] = 0;
            header[155] = ' ';
            out.writeBytes(header);
        }

        private void pad(long size) {
            int rest = (int) (size % 512);
            if (rest != 0) {
                out.writeBytes(new byte[512 - rest]);
            }
        }

        private static void octal(byte[] header, int offset, int length, long value) {
            String digits = String.format("%0" + (length - 1) + "o", value);
            put(header, offset, digits);
            header[offset + length - 1] = 0;
        }

        private static void put(byte[] header, int offset, String text) {
            byte[] b = bytes(text);
            System.arraycopy(b, 0, header, offset, b.length);
        }
    }
}
