package io.blockferry.events;

import java.util.Set;

/** The named causes of a broken snapshot chain, each answered with a full resync. */
public final class ChainBreak {

    public static final String BASE_SNAPSHOT_MISSING = "base-snapshot-missing";
    public static final String VOLUME_RESIZED = "volume-resized";
    public static final String IMAGE_RECREATED = "image-recreated";
    public static final String TARGET_MISSING_BASE = "target-missing-base";
    public static final String DIFF_INVALID = "diff-invalid";
    public static final String TARGET_CORRUPT = "target-corrupt";
    /**
     * The server moved to another compute host (seen by the OpenStack inventory). On one shared
     * Ceph the images stay, but a move may also have copied them; see resync-on-migration.
     */
    public static final String SERVER_MIGRATED = "server-migrated";

    private static final Set<String> ALL = Set.of(BASE_SNAPSHOT_MISSING, VOLUME_RESIZED, IMAGE_RECREATED,
            TARGET_MISSING_BASE, DIFF_INVALID, TARGET_CORRUPT, SERVER_MIGRATED);

    private ChainBreak() {
    }

    public static boolean isChainBreak(String cause) {
        return ALL.contains(cause);
    }
}
