package io.blockferry.source;

import io.blockferry.changedblock.Extent;
import java.util.Iterator;

/**
 * The changed ranges between two snapshots of a volume, listed lazily in offset order from the
 * platform's changed-block API (librbd's {@code rbd_diff_iterate2}, Dorado's bitmap), holding only a
 * bounded part in memory at a time.
 */
public interface ChangedBlocks extends Iterator<Extent>, AutoCloseable {

    @Override
    void close();
}
