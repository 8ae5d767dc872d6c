package io.blockferry.ops;

import io.blockferry.inventory.ServerMetadata;
import io.blockferry.restore.Failover;
import io.blockferry.restore.RestoreJobs;
import io.blockferry.restore.RestorePlan;
import io.blockferry.restore.RestorePlanner;
import io.blockferry.restore.RestoreRunner;
import io.blockferry.restore.ServerMetadataCatalog;
import io.blockferry.target.RecoveryPoint;
import io.blockferry.target.RecoveryPointCatalog;
import io.blockferry.target.rbd.RbdReplicas;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The target's failover API: {@code POST /servers/{id}/failover[?point=GEN][&drill=true]} boots the
 * server from its disks' DR snapshots as a job (followed with GET /api/restores/{job}, one job per
 * server at a time), {@code POST /drills/cleanup} removes what drills made. Needs the DR replica
 * ({@code blockferry.target.replica=rbd}) on the Ceph of the cloud the server boots in.
 */
public final class FailoverApi {

    private final RecoveryPointCatalog catalog;
    private final ServerMetadataCatalog metadata;
    private final RestorePlanner planner;
    private final Supplier<RestoreRunner> runner;
    private final RestoreJobs jobs;
    private final RbdReplicas drReplicas;

    /** @param drReplicas the DR replicas, or null when the target keeps file replicas (failover is refused) */
    public FailoverApi(RecoveryPointCatalog catalog, ServerMetadataCatalog metadata, RestorePlanner planner,
                       Supplier<RestoreRunner> runner, RestoreJobs jobs, RbdReplicas drReplicas) {
        this.catalog = catalog;
        this.metadata = metadata;
        this.planner = planner;
        this.runner = runner;
        this.jobs = jobs;
        this.drReplicas = drReplicas;
    }

    /**
     * Starts the failover (or the drill) of a server. Each disk boots from its newest point that has
     * a DR snapshot, or with {@code point} its newest such point at or before that generation. A disk
     * without one is refused before anything is made.
     */
    public RestoreJobs.Job failover(String serverId, String point, String drill) {
        requireDrReplicas();
        ServerMetadata m = metadata.latest(serverId).orElseThrow(() -> new ApiException(404, "the target has no "
                + "metadata of server '" + serverId + "': it arrives on the metadata topic once the source's inventory "
                + "polled the server")).metadata();
        Long at = generation(point);
        boolean isDrill = "true".equalsIgnoreCase(drill);
        RestorePlan plan = planner.plan(m);
        RestoreRunner.check(plan);
        Map<String, String> snapshots = new LinkedHashMap<>();
        for (int i = 0; i < plan.disks().size(); i++) {
            RestorePlan.Disk disk = plan.disks().get(i);
            String volumeId = m.disks().get(i).imageSpec();
            snapshots.put(disk.placeholder(), drSnapshot(volumeId, at).orElseThrow(() -> new ApiException(409,
                    "disk " + disk.device() + " (" + volumeId + ") has no DR snapshot" + (at == null ? "" : " at or "
                            + "before point " + at) + ": wait for its next committed point, or choose another point "
                            + "(GET /api/volumes/{id}/points); nothing was made")));
        }
        // after the checks: the first one connects and authenticates to the cloud
        Failover failover = failover();
        try {
            return jobs.start(serverId, jobId -> new RestoreJobs.Prepared() {
                @Override
                public RestoreRunner.Result run() {
                    return failover.failover(m, plan, snapshots, isDrill);
                }

                @Override
                public void close() {
                }
            });
        } catch (RestoreJobs.BusyException e) {
            throw new ApiException(409, e.getMessage());
        }
    }

    /** Deletes the servers and volumes drills made, and releases the DR snapshots they used. */
    public Failover.Cleanup drillCleanup() {
        return failover().cleanUpDrills(drReplicas.pools());
    }

    private Failover failover() {
        requireDrReplicas();
        return new Failover(runner.get(), drReplicas.clones());
    }

    private void requireDrReplicas() {
        if (drReplicas == null) {
            throw new ApiException(409, "failover boots from DR snapshots, and this target keeps its replicas as "
                    + "files: set blockferry.target.replica=rbd and blockferry.target.dr.* (README, \"DR replica and "
                    + "failover\"); a restore (POST /api/servers/{id}/restore) works without");
        }
    }

    private Optional<String> drSnapshot(String volumeId, Long at) {
        List<RecoveryPoint> points = catalog.committed(volumeId);
        for (int i = points.size() - 1; i >= 0; i--) {
            long generation = points.get(i).generation();
            if (at == null || generation <= at) {
                Optional<String> snapshot = drReplicas.of(volumeId).pointSnapshot(generation);
                if (snapshot.isPresent()) {
                    return snapshot;
                }
            }
        }
        return Optional.empty();
    }

    private static Long generation(String point) {
        if (point == null || point.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(point.trim());
        } catch (NumberFormatException e) {
            throw new ApiException(400, "point must be a generation number (GET /api/volumes/{id}/points), not '"
                    + point + "'");
        }
    }
}
