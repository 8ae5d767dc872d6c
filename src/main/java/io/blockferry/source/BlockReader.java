package io.blockferry.source;

/** Reads bytes of one snapshot. Implementations must allow concurrent reads. */
public interface BlockReader extends AutoCloseable {

    /** Fills {@code buffer} completely from {@code offset}, or throws. */
    void read(long offset, byte[] buffer);

    @Override
    void close();
}
