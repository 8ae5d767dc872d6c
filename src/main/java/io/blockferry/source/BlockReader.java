package io.blockferry.source;

import java.nio.ByteBuffer;

/**
 * Reads bytes of one volume at one point in time (a source snapshot, a target replica).
 * Implementations must allow concurrent reads; closing waits for reads in progress and refuses
 * later ones.
 */
public interface BlockReader extends AutoCloseable {

    /** The size of what is read, in bytes. */
    long size();

    /**
     * Fills {@code into} from its position to its limit with the bytes at {@code offset}, or throws.
     * Direct buffers are read into without a copy.
     */
    void read(long offset, ByteBuffer into);

    /** Fills {@code buffer} completely from {@code offset}, or throws. */
    default void read(long offset, byte[] buffer) {
        read(offset, ByteBuffer.wrap(buffer));
    }

    @Override
    void close();
}
