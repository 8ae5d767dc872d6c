package io.blockferry.target;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes or undoes, by the catalog's word, what a crash left of a prune (the steps are in
 * {@link Retention}): a merge the catalog already took is moved into place, one it did not take
 * is discarded, and the files of points older than the catalog's oldest are deleted.
 */
final class PruneRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(PruneRecovery.class);

    private final Repository repository;
    private final RecoveryPointCatalog catalog;
    private final PointFiles files;

    PruneRecovery(Repository repository, RecoveryPointCatalog catalog, PointFiles files) {
        this.repository = repository;
        this.catalog = catalog;
        this.files = files;
    }

    void recover(String volumeId) {
        List<RecoveryPoint> points = catalog.points(volumeId);
        if (points.isEmpty()) {
            return;
        }
        long oldest = points.get(0).generation();
        TreeSet<Long> merges = new TreeSet<>();
        for (Path file : repository.pointFiles(volumeId)) {
            long generation = Repository.generationOf(file);
            if (Repository.isMerged(file)) {
                merges.add(generation);
            } else if (generation < oldest) {
                LOG.warn("Volume {}: deleting {}, left by an interrupted removal of its recovery point", volumeId, file);
                PointFiles.deleteIfExists(file);
            }
        }
        for (long generation : merges) {
            RecoveryPoint point = points.stream().filter(p -> p.generation() == generation).findFirst().orElse(null);
            if (point != null && mergeCounted(point)) {
                LOG.warn("Volume {}: finishing the interrupted merge into recovery point {}", volumeId, generation);
                files.moveMergedIntoPlace(volumeId, generation);
            } else {
                LOG.warn("Volume {}: discarding an unfinished merge into recovery point {}", volumeId, generation);
                files.discardMerged(volumeId, generation);
            }
        }
    }

    /**
     * Whether the catalog took the merge: it gives the point the merged diff's base. Before, the
     * point's base is the removed point's snapshot, which the merged diff never starts from. The
     * merged diff is created first and renamed or deleted last, so a merged manifest without it
     * is a leftover of a discarded merge.
     */
    private boolean mergeCounted(RecoveryPoint point) {
        Path diff = repository.mergedDiff(point.volumeId(), point.generation());
        if (!Files.exists(diff)) {
            return false;
        }
        try {
            return Objects.equals(orNone(point.baseSnapshot()), orNone(RbdDiffReader.fromSnapshot(diff)));
        } catch (IOException e) {
            return false; // a merged diff is complete and durable before the catalog takes it: an unreadable one never counted
        }
    }

    /** No base is null in a diff file but empty in the catalog (the chunk codec sends no name as an empty one). */
    static String orNone(String snapshot) {
        return snapshot == null || snapshot.isEmpty() ? null : snapshot;
    }
}
