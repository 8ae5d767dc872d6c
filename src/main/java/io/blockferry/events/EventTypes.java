package io.blockferry.events;

/** The event types Blockferry publishes; each is documented in the README. */
public final class EventTypes {

    public static final String SNAPSHOT_LIMIT = "snapshot-limit";
    public static final String CHAIN_BREAK = "chain-break";
    public static final String TARGET_CORRUPT = "target-corrupt";
    public static final String RESYNC_REQUESTED = "resync-requested";
    public static final String DEAD_LETTER = "dead-letter";
    public static final String SYNC_FAILED = "sync-failed";
    public static final String QUEUE_TIMEOUT = "queue-timeout";
    public static final String HOOK_FAILED = "hook-failed";
    public static final String POLICY_CONFLICT = "policy-conflict";
    public static final String POLICIES_REJECTED = "policies-rejected";
    public static final String POLICY_SKIPPED = "policy-skipped";
    public static final String POINTS_PRUNED = "points-pruned";
    /** Files the target's catalog lists are gone (a replica, a point's diff or manifest); a full resync follows. */
    public static final String TARGET_FILES_MISSING = "target-files-missing";
    /** A committed point could not be applied to the replica (a full disk, an I/O error); retried, other volumes go on. */
    public static final String REPLICA_APPLY_FAILED = "replica-apply-failed";
    /** A server or disk the OpenStack inventory will not sync; the cause is a SkipReason code. */
    public static final String INVENTORY_SKIP = "inventory-skip";
    /** A server or disk skipped before is syncable again. */
    public static final String INVENTORY_SKIP_CLEARED = "inventory-skip-cleared";
    /** Something changed in OpenStack between two polls (server added, volume extended, ...). */
    public static final String INVENTORY_CHANGE = "inventory-change";
    /** A poll of OpenStack (or of one authentication domain) failed; the last good inventory is kept. */
    public static final String INVENTORY_POLL_FAILED = "inventory-poll-failed";

    /** A volume's newest acked recovery point is older than its policy's rpo (once per breach). */
    public static final String RPO_MISSED = "rpo-missed";
    /** A volume in breach of its rpo is within it again, or has no objective any more. */
    public static final String RPO_RESTORED = "rpo-restored";

    /** A downstream consumer asked for a full generation of a volume (the requests topic); one is queued. */
    public static final String FULL_GENERATION_REQUESTED = "full-generation-requested";

    /**
     * A backend removed what a crash left behind (an HCS temporary disk still attached to the proxy,
     * or one never deleted); the message names each disk.
     */
    public static final String LEFTOVERS_REMOVED = "leftovers-removed";
    /** The target took a full generation of a volume from another source site than its last point's. */
    public static final String SOURCE_SITE_CHANGED = "source-site-changed";

    private EventTypes() {
    }
}
