package io.blockferry.source;

/** Tuning of the source side. */
public record SourceSettings(int chunkSize, int readAhead, String snapshotPrefix, long ackTimeoutMillis,
                             int snapshotLimit, ResyncMode chainBreakResync) {

    public SourceSettings {
        if (chunkSize < 4096 || Integer.bitCount(chunkSize) != 1) {
            throw new IllegalArgumentException("blockferry.source.chunk-size must be a power of two of at least 4K, "
                    + "such as 1M or 4M (was " + chunkSize + ")");
        }
        if (snapshotLimit < 2) {
            throw new IllegalArgumentException("blockferry.source.snapshot-limit must be at least 2: a sync needs its "
                    + "base and one new snapshot (was " + snapshotLimit + ")");
        }
    }

    /** Whether a chain break starts a resync on its own (checksum or full) rather than waiting for a request. */
    public boolean autoResync() {
        return chainBreakResync != ResyncMode.MANUAL;
    }
}
