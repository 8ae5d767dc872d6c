package io.blockferry.target;

import io.blockferry.events.Causes;
import io.blockferry.events.Event;
import io.blockferry.events.EventSink;
import io.blockferry.events.EventTypes;
import io.blockferry.transport.SyncMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a volume's newest N recovery points and removes the older ones so that every point left
 * stays restorable from its own chain. N is what the newest point's BEGIN asked for (its policy),
 * else the target's default; 0 keeps them all.
 *
 * <p>When the point after the oldest is a full one, nothing builds on the oldest and it is simply
 * forgotten. When it is an incremental, the oldest diff is merged into it ({@link DiffMerge}), and
 * it then starts where the oldest started: from nothing, so it becomes a full point.
 *
 * <p>A merge happens in an order that a crash at any step leaves recoverable, and that
 * {@link #recover()} finishes or undoes by what the catalog says:
 * <ol>
 * <li>write the merged diff and manifest beside the point ({@code .merged}), fsync them and the
 *     directory. A crash here changes nothing: the catalog still names both points with their
 *     old files, and recovery deletes the merged files;</li>
 * <li>in one catalog transaction, forced to disk, forget the oldest point and give the next one
 *     the oldest's mode and base and the merged counts. From here the merge counts: recovery
 *     sees that the point's base in the catalog is the merged diff's from-snapshot, and moves
 *     the merged files into place. Until then the old files stay, so even a restore by hand
 *     with the old chain still works;</li>
 * <li>rename the merged manifest, then the merged diff, over the point's own (each rename is
 *     atomic), and fsync the directory;</li>
 * <li>delete the oldest point's files. Recovery deletes point files older than the oldest point
 *     in the catalog, which is what a crash here leaves.</li>
 * </ol>
 * The merge reads and writes outside the volume's lock (point files never change once written,
 * and the writer must not wait for the copy of a whole full point); steps 2 to 4 hold it, so a
 * scrub never sees the catalog and the files disagree.
 */
public final class Retention {

    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

    /** What one prune did: the generations removed and those kept, oldest first. */
    public record Report(String volumeId, List<Long> removed, List<Long> kept) {
    }

    private final Repository repository;
    private final RecoveryPointCatalog catalog;
    private final Replicas replicas;
    private final Function<String, Object> locks;
    private final EventSink events;
    private final int defaultKeep;
    private final PointFiles files;
    private final PruneRecovery recovery;
    private volatile BiPredicate<String, Long> pinned = (volumeId, generation) -> false;
    private volatile java.util.function.Predicate<String> held = volumeId -> true;

    /**
     * @param locks       each volume's lock, held while its catalog and files switch, as the writer and scrub hold it
     * @param defaultKeep points kept when a generation did not ask (blockferry.target.keep-points); 0 keeps all
     */
    public Retention(Repository repository, RecoveryPointCatalog catalog, Replicas replicas,
                     Function<String, Object> locks, EventSink events, int defaultKeep) {
        if (defaultKeep < 0) {
            throw new IllegalArgumentException("blockferry.target.keep-points is " + defaultKeep
                    + ": use 0 to keep every recovery point, or the number to keep");
        }
        this.repository = repository;
        this.catalog = catalog;
        this.replicas = replicas;
        this.locks = locks;
        this.events = events;
        this.defaultKeep = defaultKeep;
        this.files = new PointFiles(repository);
        this.recovery = new PruneRecovery(repository, catalog, files);
    }

    /**
     * Points retention must keep while {@code pinned} says so (an open NBD export of the point).
     * It is asked before a point is removed and again under the volume's lock, where an export
     * registers its pin, so a point exported meanwhile is never removed; points after a pinned one
     * wait until it is released (the oldest goes first).
     */
    public void protect(BiPredicate<String, Long> pinned) {
        this.pinned = pinned;
    }

    /**
     * Writers sharing a repository prune only the volumes they hold ({@code held}): another
     * writer's volume counts as pinned, so nothing of it is removed here.
     */
    public void limitTo(java.util.function.Predicate<String> held) {
        this.held = held;
    }

    public synchronized List<Report> pruneAll() {
        List<Report> reports = new ArrayList<>();
        for (String volumeId : catalog.volumes()) {
            if (!held.test(volumeId)) {
                continue;
            }
            reports.add(prune(volumeId));
        }
        return reports;
    }

    /**
     * Removes a volume's oldest committed points beyond what it keeps. It first settles what an
     * earlier prune left half done (a failed rename, say), so it never merges from a stale file.
     */
    public synchronized Report prune(String volumeId) {
        if (!held.test(volumeId)) {
            return new Report(volumeId, List.of(), catalog.committed(volumeId).stream().map(RecoveryPoint::generation)
                    .toList());
        }
        recover(volumeId);
        List<RecoveryPoint> points = catalog.committed(volumeId);
        int keep = points.isEmpty() ? 0 : keepOf(points.get(points.size() - 1));
        List<Long> removed = new ArrayList<>();
        while (keep > 0 && points.size() > keep) {
            RecoveryPoint oldest = points.get(0);
            RecoveryPoint next = points.get(1);
            boolean done = !pinned.test(volumeId, oldest.generation())
                    && (SyncMode.FULL.name().equals(next.mode()) ? forget(oldest) : merge(oldest, next));
            if (!done) {
                LOG.info("Volume {}: recovery point {} is kept beyond keep-points {} while an export of it is open",
                        volumeId, oldest.generation(), keep);
                break;
            }
            removed.add(oldest.generation());
            points = catalog.committed(volumeId);
        }
        Report report = new Report(volumeId, removed, points.stream().map(RecoveryPoint::generation).toList());
        if (!removed.isEmpty()) {
            forgetInReplica(volumeId);
            events.publish(Event.of(EventTypes.POINTS_PRUNED, volumeId, Causes.KEEP_POINTS.wire(), Event.INFO,
                    "removed recovery points " + removed + " of " + volumeId + "; keeping " + report.kept()
                            + " (keep-points " + keep + "), the oldest now " + points.get(0).mode().toLowerCase(),
                    Map.of("removed", (long) removed.size(), "kept", (long) points.size(), "keepPoints", (long) keep,
                            "oldestGeneration", report.kept().get(0))));
        }
        return report;
    }

    private int keepOf(RecoveryPoint newest) {
        return newest.keepPoints() > 0 ? newest.keepPoints() : defaultKeep;
    }

    /** Removes a point nothing builds on (the next point is full). */
    private boolean forget(RecoveryPoint point) {
        synchronized (locks.apply(point.volumeId())) {
            if (pinned.test(point.volumeId(), point.generation()) || !held.test(point.volumeId())) {
                return false;
            }
            catalog.remove(point);
            files.deletePoint(point.volumeId(), point.generation());
            return true;
        }
    }

    /** Merges the oldest point into the next one, in the steps of the class comment. */
    private boolean merge(RecoveryPoint oldest, RecoveryPoint next) {
        String volumeId = oldest.volumeId();
        Path mergedDiff = repository.mergedDiff(volumeId, next.generation());
        Path mergedManifest = repository.mergedManifest(volumeId, next.generation());
        MergedDiff merged;
        try {
            merged = DiffMerge.merge(repository.pointDiff(volumeId, oldest.generation()),
                    repository.pointDiff(volumeId, next.generation()), mergedDiff, mergedManifest);
            Repository.syncDirectory(mergedDiff.getParent());
        } catch (IOException | RuntimeException e) {
            files.discardMerged(volumeId, next.generation());
            throw new UncheckedIOException(new IOException("cannot merge recovery point " + oldest.generation()
                    + " of " + volumeId + " into " + next.generation() + ": " + e.getMessage()
                    + "; both points are kept", e));
        }
        synchronized (locks.apply(volumeId)) {
            if (pinned.test(volumeId, oldest.generation()) || !held.test(volumeId)) {
                files.discardMerged(volumeId, next.generation());
                return false;
            }
            catalog.mergeInto(oldest, next, merged);
            files.moveMergedIntoPlace(volumeId, next.generation());
            files.deletePoint(volumeId, oldest.generation());
        }
        LOG.info("Volume {}: recovery point {} merged into {} ({} data bytes), which now starts from {}", volumeId,
                oldest.generation(), next.generation(), merged.dataBytes(),
                PruneRecovery.orNone(oldest.baseSnapshot()) == null ? "nothing (a full point)" : oldest.baseSnapshot());
        return true;
    }

    /**
     * Finishes or undoes what a crash interrupted, by the catalog's word (see the class comment).
     * Runs at start, before the writer; each prune also settles its volume first.
     */
    public synchronized void recover() {
        for (String volumeId : catalog.volumes()) {
            recover(volumeId);
            forgetInReplica(volumeId);
        }
    }

    /**
     * The replica forgets the points before the oldest kept (a DR replica removes their snapshots).
     * After the catalog: a crash between the two leaves snapshots of removed points, which the next
     * start removes here. A failure (the DR cluster unreachable) is logged and retried at the next prune.
     */
    private void forgetInReplica(String volumeId) {
        List<RecoveryPoint> points = catalog.committed(volumeId);
        if (points.isEmpty()) {
            return;
        }
        Replica replica = replicas.of(volumeId);
        try {
            synchronized (locks.apply(volumeId)) {
                replica.forgetBefore(points.get(0).generation());
            }
        } catch (RuntimeException e) {
            LOG.warn("Volume {}: the replica could not forget the points before {}: {}; tried again at the next "
                    + "prune", volumeId, points.get(0).generation(), e.getMessage());
        }
    }

    private void recover(String volumeId) {
        synchronized (locks.apply(volumeId)) {
            recovery.recover(volumeId);
        }
    }
}
