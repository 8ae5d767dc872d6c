package io.blockferry.target;

import io.blockferry.events.ChainBreak;
import io.blockferry.events.Event;
import io.blockferry.events.EventSink;
import io.blockferry.events.EventTypes;
import io.blockferry.transport.SyncMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks that what the catalog lists is really on disk: the replica (present, of the size of the
 * point it holds) and each point's diff and manifest. A volume directory moved away, or a point
 * file deleted, while Blockferry was stopped must not let an incremental be applied to a replica
 * that is not there, nor a scrub or restore trust points that are gone.
 */
final class RepositoryCheck {

    private final Repository repository;
    private final RecoveryPointCatalog catalog;
    private final Replicas replicas;

    RepositoryCheck(Repository repository, RecoveryPointCatalog catalog, Replicas replicas) {
        this.repository = repository;
        this.catalog = catalog;
        this.replicas = replicas;
    }

    /** Why an incremental cannot be applied on the volume's latest point, or null when it can. */
    String cannotBuildOn(String volumeId, Optional<RecoveryPoint> latest) {
        if (latest.isEmpty()) {
            return null;
        }
        RecoveryPoint point = latest.get();
        if (!point.committed()) {
            return "its latest recovery point " + point.generation() + " is not yet applied";
        }
        ReplicaState replica = catalog.replica(volumeId);
        if (!replica.valid()) {
            return "its replica is not usable (" + replica.detail() + ")";
        }
        if (replica.generation() != point.generation()) {
            return "its replica holds point " + replica.generation() + ", not the latest point " + point.generation();
        }
        List<String> missing = missingFiles(point);
        String replicaProblem = replicaProblem(volumeId, point);
        if (replicaProblem != null) {
            missing.add(0, replicaProblem);
        }
        return missing.isEmpty() ? null : String.join("; ", missing);
    }

    /**
     * Checks every volume at start. A volume whose files are gone loses, in the catalog, the points
     * that can no longer be restored (a point whose files are missing, and the incrementals after it
     * up to the next full point), and its replica when the replica is gone or belonged to a lost point;
     * an event names what was lost, and a full resync is asked for.
     *
     * @return the volumes found damaged
     */
    List<String> verifyAll(EventSink events) {
        List<String> damaged = new ArrayList<>();
        for (String volumeId : catalog.volumes()) {
            if (verify(volumeId, events)) {
                damaged.add(volumeId);
            }
        }
        return damaged;
    }

    /** Checks one volume, as {@link #verifyAll}; true when something was missing. */
    boolean verify(String volumeId, EventSink events) {
        List<RecoveryPoint> points = catalog.committed(volumeId);
        List<RecoveryPoint> lost = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        boolean chainLost = false;
        for (RecoveryPoint point : points) {
            if (SyncMode.FULL.name().equals(point.mode())) {
                chainLost = false;
            }
            List<String> gone = missingFiles(point);
            if (!gone.isEmpty() || chainLost) {
                lost.add(point);
                missing.addAll(gone);
                chainLost = true;
            }
        }
        ReplicaState replica = catalog.replica(volumeId);
        Optional<RecoveryPoint> newest = points.isEmpty() ? Optional.empty() : Optional.of(points.get(points.size() - 1));
        String replicaProblem = replica.valid() && newest.isPresent() && replica.generation() == newest.get().generation()
                ? replicaProblem(volumeId, newest.get()) : null;
        boolean replicaLost = replicaProblem != null
                || (replica.valid() && lost.stream().anyMatch(p -> p.generation() == replica.generation()));
        if (lost.isEmpty() && !replicaLost) {
            return false;
        }
        if (replicaProblem != null) {
            missing.add(0, replicaProblem);
        }
        if (!lost.isEmpty()) {
            catalog.forget(lost);
        }
        if (replicaLost) {
            catalog.invalidateReplica(volumeId, String.join("; ", missing));
        }
        String what = String.join("; ", missing);
        List<Long> generations = lost.stream().map(RecoveryPoint::generation).toList();
        events.publish(Event.of(EventTypes.TARGET_FILES_MISSING, volumeId, ChainBreak.TARGET_MISSING_BASE, Event.ERROR,
                "files of " + volumeId + " listed by the target's catalog are gone (" + what + ")"
                        + (generations.isEmpty() ? "" : "; recovery points " + generations + " can no longer be "
                        + "restored and are no longer listed") + (replicaLost ? "; the replica is not used" : "")
                        + ": a full resync replaces it. Check who moves or deletes files in " + repository.root(),
                Map.of("lostPoints", (long) generations.size())));
        events.publish(Event.of(EventTypes.RESYNC_REQUESTED, volumeId, ChainBreak.TARGET_MISSING_BASE, Event.WARN,
                "the target lost files of " + volumeId + ": a full resync replaces them", Map.of()));
        return true;
    }

    private List<String> missingFiles(RecoveryPoint point) {
        List<String> missing = new ArrayList<>();
        for (Path file : List.of(repository.pointDiff(point.volumeId(), point.generation()),
                repository.pointManifest(point.volumeId(), point.generation()))) {
            if (!Files.isRegularFile(file)) {
                missing.add(file + " is missing");
            }
        }
        return missing;
    }

    private String replicaProblem(String volumeId, RecoveryPoint holds) {
        String problem = replicas.of(volumeId).problem(holds.imageSize());
        return problem == null ? null : problem + " (point " + holds.generation() + ")";
    }
}
