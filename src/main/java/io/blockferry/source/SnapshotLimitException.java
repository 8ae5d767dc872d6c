package io.blockferry.source;

/** A volume cannot get another snapshot: its snapshot count is at the limit. */
public class SnapshotLimitException extends RuntimeException {

    private final String volumeId;
    private final long count;
    private final long limit;
    private final long foreign;

    public SnapshotLimitException(String volumeId, long count, long limit, long foreign, String detail) {
        super("volume " + volumeId + " has " + count + " snapshots (" + foreign + " not Blockferry's) and the limit is "
                + limit + ": " + detail);
        this.volumeId = volumeId;
        this.count = count;
        this.limit = limit;
        this.foreign = foreign;
    }

    public String volumeId() {
        return volumeId;
    }

    public long count() {
        return count;
    }

    public long limit() {
        return limit;
    }

    public long foreign() {
        return foreign;
    }
}
