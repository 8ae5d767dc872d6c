package io.blockferry.source;

import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes Blockferry's snapshots from source volumes. Failures are logged, not thrown: a snapshot
 * left behind costs space, never data, and the next run tries again.
 */
public final class SnapshotCleaner {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotCleaner.class);

    private final BlockSources sources;
    private final SnapshotNames names;

    public SnapshotCleaner(BlockSources sources, SnapshotNames names) {
        this.sources = sources;
        this.names = names;
    }

    public void removeIfPresent(String ref, String snapshot) {
        try (SourceVolume head = sources.open(ref)) {
            removeIfPresent(head, snapshot);
        } catch (RuntimeException e) {
            LOG.warn("Could not remove snapshot {}@{}: {}", ref, snapshot, e.getMessage());
        }
    }

    /** Removes {@code snapshot} only if it is one of Blockferry's own: a name from an ack is never trusted further. */
    public void removeOwnIfPresent(String ref, String snapshot) {
        if (snapshot != null && names.isOwn(snapshot)) {
            removeIfPresent(ref, snapshot);
        } else {
            LOG.warn("Not removing snapshot {}@{}: it is not one of Blockferry's", ref, snapshot);
        }
    }

    public void removeIfPresent(SourceVolume head, String snapshot) {
        if (head.snapshots().contains(snapshot)) {
            head.removeSnapshot(snapshot);
        }
    }

    /**
     * Keeps {@code base} and the {@code keep - 1} newest own snapshots older than it (a policy's
     * source retention); removes the other own snapshots. Foreign snapshots are never touched.
     */
    public void keepNewest(String ref, String base, int keep) {
        long baseGeneration = names.generationOf(base);
        try (SourceVolume head = sources.open(ref)) {
            List<String> older = head.snapshots().stream()
                    .filter(s -> names.isOwn(s) && !s.equals(base))
                    .sorted(Comparator.comparingLong(names::generationOf).reversed()).toList();
            int kept = 1;
            for (String snapshot : older) {
                if (kept < keep && names.generationOf(snapshot) < baseGeneration) {
                    kept++;
                    continue;
                }
                try {
                    head.removeSnapshot(snapshot);
                } catch (RuntimeException e) {
                    // one protected or busy snapshot (a clone's parent) must not keep the others
                    LOG.warn("Could not remove snapshot {}@{}: {}", ref, snapshot, e.getMessage());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not remove older Blockferry snapshots of {}: {}", ref, e.getMessage());
        }
    }

    /** Removes every own snapshot of an image already open except {@code keep}; failures are thrown. */
    public void removeOwnExcept(SourceVolume head, String keep) {
        for (String snapshot : head.snapshots()) {
            if (names.isOwn(snapshot) && !snapshot.equals(keep)) {
                head.removeSnapshot(snapshot);
            }
        }
    }
}
