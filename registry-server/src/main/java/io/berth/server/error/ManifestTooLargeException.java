package io.berth.server.error;

/** A manifest larger than the registry accepts ({@code MANIFEST_INVALID}, answered as too large). */
public final class ManifestTooLargeException extends RegistryException {

    public ManifestTooLargeException(long maxBytes) {
        super(OciErrorCode.MANIFEST_INVALID, "the manifest is larger than the " + maxBytes + " bytes this registry accepts");
    }
}
