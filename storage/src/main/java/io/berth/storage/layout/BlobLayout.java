package io.berth.storage.layout;

import io.berth.storage.Digest;
import java.util.UUID;

/** Maps blobs and uploads to the keys of the layout described in this package's documentation. */
public final class BlobLayout {

    /** The version prefix of every key. */
    public static final String VERSION = "v1";

    private static final String BLOBS = VERSION + "/blobs/";
    private static final String UPLOADS = VERSION + "/uploads/";

    private BlobLayout() {
    }

    /** Returns the key of a blob's bytes, e.g. {@code v1/blobs/sha256/ab/abcdef...}. */
    public static String blob(Digest digest) {
        return BLOBS + digest.algorithm().id() + "/" + digest.hex().substring(0, 2) + "/" + digest.hex();
    }

    /** Returns the key prefix under which blobs of every algorithm live. */
    public static String blobsRoot() {
        return BLOBS;
    }

    /** Returns the key of the folder that holds an upload's staged data. */
    public static String uploadDirectory(UUID id) {
        return UPLOADS + id;
    }

    /** Returns the key of an upload's staged bytes. */
    public static String uploadData(UUID id) {
        return uploadDirectory(id) + "/data";
    }
}
