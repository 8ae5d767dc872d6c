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
    public void ensureRoom(SourceVolume head, String volumeId, String keep) {
        List<String> snapshots = head.snapshots();
        if (snapshots.size() < limit) {
            return;
        }
        cleaner.removeOwnExcept(head, keep);
        List<String> left = head.snapshots();
        if (left.size() >= limit) {
            long foreign = left.stream().filter(s -> !names.isOwn(s)).count();
            throw new SnapshotLimitException(volumeId, left.size(), limit, foreign,
                    "remove snapshots that are no longer needed (rbd snap ls), or raise blockferry.source.snapshot-limit "
                            + "if the platform allows more");
        }
    }

    /** The platform refused the snapshot (its own limit): the same event, with Blockferry's and others' counted. */
    public SnapshotLimitException platformLimit(SourceVolume head, SnapshotLimitException refused) {
        List<String> snapshots = head.snapshots();
        long foreign = snapshots.stream().filter(s -> !names.isOwn(s)).count();
        return new SnapshotLimitException(refused.volumeId(), snapshots.size(), snapshots.size(), foreign,
                refused.detail());
    }
}
