package io.blockferry.source;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes Blockferry's snapshots from source images. Failures are logged, not thrown: a snapshot
 * left behind costs space, never data, and the next run tries again.
 */
public final class SnapshotCleaner {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotCleaner.class);

    private final CephCluster ceph;
    private final SnapshotNames names;

    public SnapshotCleaner(CephCluster ceph, SnapshotNames names) {
        this.ceph = ceph;
        this.names = names;
    }

    public void removeIfPresent(VolumeRef ref, String snapshot) {
        try (SourceImage head = new SourceImage(ceph, ref)) {
            removeIfPresent(head, snapshot);
        } catch (RuntimeException e) {
            LOG.warn("Could not remove snapshot {}@{}: {}", ref, snapshot, e.getMessage());
        }
    }

    public void removeIfPresent(SourceImage head, String snapshot) {
        if (head.snapshotNames().contains(snapshot)) {
            head.removeSnapshot(snapshot);
        }
    }

    /** Removes every Blockferry snapshot of the image except {@code keep}; foreign snapshots are never touched. */
    public void removeOwnExcept(VolumeRef ref, String keep) {
        try (SourceImage head = new SourceImage(ceph, ref)) {
            removeOwnExcept(head, keep);
        } catch (RuntimeException e) {
            LOG.warn("Could not remove older Blockferry snapshots of {}: {}", ref, e.getMessage());
        }
    }

    /** As {@link #removeOwnExcept(VolumeRef, String)} on an image already open; failures are thrown. */
    public void removeOwnExcept(SourceImage head, String keep) {
        for (String snapshot : head.snapshotNames()) {
            if (names.isOwn(snapshot) && !snapshot.equals(keep)) {
                head.removeSnapshot(snapshot);
            }
        }
    }
}
