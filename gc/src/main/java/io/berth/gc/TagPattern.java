package io.berth.gc;

import java.util.regex.Pattern;

/**
 * A glob over tag names, as immutable-tag and retention rules are written: {@code *} stands for any
 * run of characters, {@code ?} for one, everything else for itself ({@code v*}, {@code release-?.*}).
 */
public record TagPattern(String glob) {

    /** Tag characters (the distribution spec's) plus the two wildcards, at most a tag's 128. */
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.*?-][A-Za-z0-9_.*?-]{0,127}");

    public TagPattern {
        if (!valid(glob)) {
            throw new IllegalArgumentException("not a tag pattern: " + glob);
        }
    }

    /** Whether {@code glob} is a pattern: tag characters and wildcards, at most 128. */
    public static boolean valid(String glob) {
        return glob != null && VALID.matcher(glob).matches();
    }

    public boolean matches(String tag) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            regex.append(switch (c) {
                case '*' -> ".*";
                case '?' -> ".";
                default -> Pattern.quote(String.valueOf(c));
            });
        }
        return tag.matches(regex.toString());
    }
}
