package io.blockferry.source;

import io.blockferry.events.Causes;

import io.blockferry.BlockferryException;

/** A volume cannot get another snapshot: its snapshot count is at the limit. */
public class SnapshotLimitException extends BlockferryException {

    private final String volumeId;
    private final long count;
    private final long limit;
    private final long foreign;
    private final String detail;

    public SnapshotLimitException(String volumeId, long count, long limit, long foreign, String detail) {
        super("volume " + volumeId + " has " + count + " snapshots" + (foreign < 0 ? "" : " (" + foreign
                + " not Blockferry's)") + " and the limit is " + limit + ": " + detail);
        this.detail = detail;
        this.volumeId = volumeId;
        this.count = count;
        this.limit = limit;
        this.foreign = foreign;
    }

    /**
     * The platform itself refused another snapshot (librbd's EDQUOT, an HCS error): thrown by a
     * backend, which does not tell Blockferry's snapshots from others; the budget adds that.
     */
    public static SnapshotLimitException platformLimit(String volumeId, long count, String detail) {
        return new SnapshotLimitException(volumeId, count, count, -1, detail);
    }

    /** Whether it came from the platform without a count of foreign snapshots. */
    public boolean fromPlatform() {
        return foreign < 0;
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

    /** What to do about it. */
    public String detail() {
        return detail;
    }

    @Override
    public Causes failureCause() {
        return Causes.SNAPSHOT_LIMIT;
    }
}
