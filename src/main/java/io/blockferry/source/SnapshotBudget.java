package io.blockferry.source;

import java.util.List;

/**
 * Keeps a disk under its snapshot limit (128 on HCS), counting every snapshot on the image,
 * foreign ones included. When one more would exceed the limit it first removes Blockferry's own
 * snapshots that nothing needs (never the base, never one being read).
 */
public final class SnapshotBudget {

    private final int limit;
    private final SnapshotNames names;
    private final SnapshotCleaner cleaner;

    public SnapshotBudget(int limit, SnapshotNames names, SnapshotCleaner cleaner) {
        this.limit = limit;
        this.names = names;
        this.cleaner = cleaner;
    }

    /** Makes room for one more snapshot or throws {@link SnapshotLimitException}. */
    public void ensureRoom(SourceImage head, String volumeId, String keep) {
        List<String> snapshots = head.snapshotNames();
        if (snapshots.size() < limit) {
            return;
        }
        cleaner.removeOwnExcept(head, keep);
        List<String> left = head.snapshotNames();
        if (left.size() >= limit) {
            long foreign = left.stream().filter(s -> !names.isOwn(s)).count();
            throw new SnapshotLimitException(volumeId, left.size(), limit, foreign,
                    "remove snapshots that are no longer needed (rbd snap ls), or raise blockferry.source.snapshot-limit "
                            + "if the platform allows more");
        }
    }

    /** librbd refused the snapshot with EDQUOT: the image has its own limit (rbd snap limit set). */
    public SnapshotLimitException quotaExceeded(SourceImage head, String volumeId) {
        List<String> snapshots = head.snapshotNames();
        long foreign = snapshots.stream().filter(s -> !names.isOwn(s)).count();
        return new SnapshotLimitException(volumeId, snapshots.size(), snapshots.size(), foreign,
                "librbd refused another snapshot (EDQUOT): the image has a limit set with 'rbd snap limit set'; "
                        + "clear it with 'rbd snap limit clear' or remove snapshots");
    }
}
