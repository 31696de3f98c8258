package io.berth.server.error;

/**
 * A delete refused because manifests of the repository still reference what it would remove: a blob
 * that is a config or layer, or a manifest that an index lists ({@code DENIED}, answered as a method
 * the resource does not allow for now, the distribution spec's answer to a delete it refuses). It
 * carries which kind of content was kept, since the methods that remain differ.
 */
public final class StillReferencedException extends RegistryException {

    /** What the refused delete would have removed. */
    public enum Content { BLOB, MANIFEST }

    private final Content content;

    public StillReferencedException(Content content, String message) {
        super(OciErrorCode.DENIED, message);
        this.content = content;
    }

    public Content content() {
        return content;
    }
}
