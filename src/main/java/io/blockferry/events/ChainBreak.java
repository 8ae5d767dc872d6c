package io.blockferry.events;

import java.util.Set;

/** The causes (on the closed list, {@link Causes}) of a broken snapshot chain, each answered with a full resync. */
public final class ChainBreak {

    public static final String BASE_SNAPSHOT_MISSING = Causes.BASE_SNAPSHOT_MISSING.wire();
    public static final String VOLUME_RESIZED = Causes.VOLUME_RESIZED.wire();
    public static final String IMAGE_RECREATED = Causes.IMAGE_RECREATED.wire();
    public static final String TARGET_MISSING_BASE = Causes.TARGET_MISSING_BASE.wire();
    public static final String DIFF_INVALID = Causes.DIFF_INVALID.wire();
    public static final String TARGET_CORRUPT = Causes.TARGET_CORRUPT.wire();
    /**
     * The server moved to another compute host (seen by the OpenStack inventory). On one shared
     * Ceph the images stay, but a move may also have copied them; see resync-on-migration.
     */
    public static final String SERVER_MIGRATED = Causes.SERVER_MIGRATED.wire();
    /**
     * The target's newest point of the volume came from another source site: an incremental of
     * this site cannot build on it (two sources with the same volume id, or a reinstalled source
     * with a new site name).
     */
    public static final String SOURCE_SITE_CONFLICT = Causes.SOURCE_SITE_CONFLICT.wire();

    private static final Set<String> ALL = Set.of(BASE_SNAPSHOT_MISSING, VOLUME_RESIZED, IMAGE_RECREATED,
            TARGET_MISSING_BASE, DIFF_INVALID, TARGET_CORRUPT, SERVER_MIGRATED, SOURCE_SITE_CONFLICT);

    private ChainBreak() {
    }

    public static boolean isChainBreak(String cause) {
        return ALL.contains(cause);
    }
}
