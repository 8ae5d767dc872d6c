package io.blockferry.source;

/** A request to sync one volume now; {@code full} forces a full generation. */
public record SyncRequest(String volumeId, boolean full, String trigger, SyncOptions options) {

    public SyncRequest(String volumeId, boolean full, String trigger) {
        this(volumeId, full, trigger, SyncOptions.DEFAULTS);
    }

    public static SyncRequest incremental(String volumeId, String trigger) {
        return new SyncRequest(volumeId, false, trigger);
    }

    public static SyncRequest full(String volumeId, String trigger) {
        return new SyncRequest(volumeId, true, trigger);
    }
}
