package io.berth.storage;

import java.util.function.Consumer;

/** Lists what the store holds, for the garbage collector's sweep and for consistency checks. */
public interface BlobWalker {

    /** Calls {@code visitor} once for every stored blob, in no particular order. */
    void walk(Consumer<BlobStat> visitor);
}
