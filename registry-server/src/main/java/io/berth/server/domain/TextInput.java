package io.berth.server.domain;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Text a client sent, checked for what the metadata database and the JVM cannot hold before it reaches
 * a query: a NUL character (PostgreSQL refuses it in every text type), a lone UTF-16 surrogate (it has no
 * UTF-8 encoding), and more characters than the column it is compared with or stored in. Callers turn
 * the problem into the refusal of their API, so the same checks answer NAME_INVALID on {@code /v2} and
 * 400 on the admin API.
 */
public final class TextInput {

    /** The size of the metadata's name and media type columns ({@code varchar(255)}). */
    public static final int COLUMN_LENGTH = 255;

    /** No limit beyond the request's own: for {@code text} columns and values only compared, never stored. */
    public static final int UNLIMITED = Integer.MAX_VALUE;

    private TextInput() {
    }

    /**
     * Returns what makes {@code value} unusable, as the end of a sentence ("holds a NUL character"), or
     * empty when it can be stored; a null value is for the caller to judge and passes.
     */
    public static Optional<String> problem(String value, int maxLength) {
        if (value == null) {
            return Optional.empty();
        }
        if (value.length() > maxLength) {
            return Optional.of("is longer than " + maxLength + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\0') {
                return Optional.of("holds a NUL character");
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return Optional.of("holds a lone UTF-16 surrogate, which is no Unicode character");
            }
        }
        return Optional.empty();
    }

    /**
     * Decodes bytes that must be UTF-8, or returns empty when they are not: Java's lenient decoding turns
     * each bad byte into U+FFFD, which would make two different passwords one and look up a user name
     * nobody typed. Encoded surrogates (CESU-8) are not UTF-8 either.
     */
    public static Optional<String> utf8(byte[] bytes) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** Returns true if {@code value} passes {@link #problem}. */
    public static boolean storable(String value, int maxLength) {
        return problem(value, maxLength).isEmpty();
    }
}
