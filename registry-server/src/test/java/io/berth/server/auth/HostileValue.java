package io.berth.server.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Text an attacker puts where Berth expects a name, a media type or a credential: an ordinary-looking
 * value with one thing in it that the database or the JVM cannot hold, or that no valid input has.
 * Each value can be written three ways, for the three places text arrives: percent-escaped in a URL,
 * as the content of a JSON string, and as raw bytes (inside Basic credentials).
 */
record HostileValue(Kind kind, String url, byte[] json, byte[] raw) {

    /** What is wrong with a value. Not every kind fits every place, so each target says which it takes. */
    enum Kind {
        /** U+0000, which PostgreSQL refuses in every text type. */
        NUL,
        /** A lone UTF-16 surrogate: in a URL or raw, its three-byte CESU-8 form, which is no valid UTF-8. */
        LONE_SURROGATE,
        /** Bytes that decode as no UTF-8 at all. */
        INVALID_UTF8,
        /** A percent sign not followed by two hex digits; in JSON, a {@code \\u} escape not followed by four. */
        BROKEN_ESCAPE,
        /** U+0001-U+001F or U+007F: storable, but in no valid name. */
        CONTROL,
        /** 256 to 2000 characters, more than a name or media-type column holds. */
        OVERLONG;

        static final Set<Kind> ALL = EnumSet.allOf(Kind.class);
        /** What must be refused before a credential is even looked up (so no failed login is counted). */
        static final Set<Kind> UNREADABLE = EnumSet.of(NUL, LONE_SURROGATE, INVALID_UTF8, BROKEN_ESCAPE);
    }

    /** Values of the given kinds, each built around an innocent lower-case stem. */
    static Arbitrary<HostileValue> of(Set<Kind> kinds) {
        Arbitrary<String> stems = Arbitraries.strings().withCharRange('a', 'z').numeric().ofMinLength(1).ofMaxLength(12);
        Arbitrary<Integer> cuts = Arbitraries.integers().between(0, 12);
        return Arbitraries.of(kinds).flatMap(kind -> Combinators.combine(stems, cuts, flaws(kind))
                .as((stem, cut, flaw) -> build(kind, stem, Math.min(cut, stem.length()), flaw)));
    }

    /** The flaw of a kind, in its three forms: URL, JSON string content and raw bytes. */
    private record Flaw(String url, byte[] json, byte[] raw) {
    }

    private static Arbitrary<Flaw> flaws(Kind kind) {
        return switch (kind) {
            case NUL -> Arbitraries.just(new Flaw("%00", ascii("\\u0000"), new byte[] {0}));
            case LONE_SURROGATE -> Arbitraries.chars().range(Character.MIN_SURROGATE, Character.MAX_SURROGATE)
                    .map(c -> {
                        byte[] cesu = {(byte) (0xe0 | c >> 12), (byte) (0x80 | c >> 6 & 0x3f), (byte) (0x80 | c & 0x3f)};
                        return new Flaw(percent(cesu), ascii(String.format("\\u%04x", (int) c)), cesu);
                    });
            case INVALID_UTF8 -> Arbitraries.of(new byte[] {(byte) 0xff}, new byte[] {(byte) 0x80},
                    new byte[] {(byte) 0xc3, 0x28}, new byte[] {(byte) 0xe2, (byte) 0x82}, new byte[] {(byte) 0xc0, (byte) 0xaf},
                    new byte[] {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80})
                    .map(bytes -> new Flaw(percent(bytes), bytes, bytes));
            // Each ends in 'z', so the stem's next characters cannot complete it into a valid escape.
            case BROKEN_ESCAPE -> Arbitraries.of("%z", "%zz", "%4z", "%g0z", "%%z")
                    .map(escape -> new Flaw(escape, ascii("\\u" + escape.replace('%', 'z')), ascii(escape)));
            case CONTROL -> Arbitraries.oneOf(Arbitraries.chars().range('\u0001', '\u001f'), Arbitraries.just('\u007f'))
                    .map(c -> new Flaw(percent(new byte[] {(byte) c.charValue()}), ascii(String.format("\\u%04x", (int) c)),
                            new byte[] {(byte) c.charValue()}));
            case OVERLONG -> Arbitraries.integers().between(256, 2000).map(length -> {
                char[] filler = new char[length];
                Arrays.fill(filler, 'a');
                String text = new String(filler);
                return new Flaw(text, ascii(text), ascii(text));
            });
        };
    }

    private static HostileValue build(Kind kind, String stem, int cut, Flaw flaw) {
        String before = stem.substring(0, cut);
        String after = stem.substring(cut);
        return new HostileValue(kind, before + flaw.url() + after, join(before, flaw.json(), after), join(before, flaw.raw(), after));
    }

    private static byte[] join(String before, byte[] middle, String after) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(ascii(before));
        bytes.writeBytes(middle);
        bytes.writeBytes(ascii(after));
        return bytes.toByteArray();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static String percent(byte[] bytes) {
        StringBuilder escaped = new StringBuilder();
        for (byte b : bytes) {
            escaped.append(String.format("%%%02X", b & 0xff));
        }
        return escaped.toString();
    }

    @Override
    public String toString() {
        return kind + " " + (url.length() > 60 ? url.substring(0, 60) + "...(" + url.length() + ")" : url);
    }
}
