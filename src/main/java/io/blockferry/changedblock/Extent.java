package io.blockferry.changedblock;

/**
 * A byte range of a disk that changed. {@code exists} is false when the range was discarded or
 * never written in the newer snapshot, so it now reads as zeros and need not be read.
 */
public record Extent(long offset, long length, boolean exists) {

    public long end() {
        return offset + length;
    }
}
