package io.blockferry.source;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * What a policy asks of one sync beyond the volume and mode.
 *
 * @param policy          the policy that asked, or null for a manual or timer sync
 * @param keepSnapshots   how many of Blockferry's own snapshots the source keeps (at least 1: the base)
 * @param keepPoints      how many recovery points the target keeps; 0 leaves it to the target's default
 * @param bandwidthLimit  bytes per second for this sync's reads; 0 leaves only the proxy's cap
 * @param preSnapshot     run before the snapshot, or null
 * @param postSnapshot    run once the snapshot exists, or null
 *
 * <p>The hooks are left out of JSON (a request in the dead letters): their commands may carry
 * credentials, and the policy names them.
 */
public record SyncOptions(String policy, int keepSnapshots, int keepPoints, long bandwidthLimit,
                          @JsonIgnore Hook preSnapshot, @JsonIgnore Hook postSnapshot) {

    public static final SyncOptions DEFAULTS = new SyncOptions(null, 1, 0, 0, null, null);

    public SyncOptions {
        if (keepSnapshots < 1) {
            throw new IllegalArgumentException("keepSnapshots is " + keepSnapshots + ": the source keeps at least its base");
        }
        if (keepPoints < 0 || bandwidthLimit < 0) {
            throw new IllegalArgumentException("keepPoints and bandwidthLimit cannot be negative");
        }
    }
}
