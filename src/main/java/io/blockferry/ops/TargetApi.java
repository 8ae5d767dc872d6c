package io.blockferry.ops;

import io.blockferry.target.RecoveryPoint;
import io.blockferry.target.RecoveryPointCatalog;
import io.blockferry.restore.ChainPins;
import io.blockferry.restore.RestoreJobs;
import io.blockferry.restore.RestorePlan;
import io.blockferry.restore.RestorePlanner;
import io.blockferry.restore.RestoreRunner;
import io.blockferry.restore.ServerMetadataCatalog;
import java.util.List;
import java.util.function.Supplier;

/** The target's part of the REST API: recovery points. */
public final class TargetApi {

    private final RecoveryPointCatalog catalog;
    private final ServerMetadataCatalog metadata;
    private final RestorePlanner planner;
    private final Supplier<RestoreRunner> runner;
    private final ChainPins pins;
    private final RestoreJobs jobs;

    /**
     * @param runner made at the first restore, so that a target without a cloud to restore to starts
     * @param pins   pins the chains a restore reads, so retention cannot change them under it
     */
    public TargetApi(RecoveryPointCatalog catalog, ServerMetadataCatalog metadata, RestorePlanner planner,
                     Supplier<RestoreRunner> runner, ChainPins pins, RestoreJobs jobs) {
        this.catalog = catalog;
        this.metadata = metadata;
        this.planner = planner;
        this.runner = runner;
        this.pins = pins;
        this.jobs = jobs;
    }

    /** The newest restore metadata of a server, with the generation of each disk when it arrived. */
    public ServerMetadataCatalog.Version serverMetadata(String serverId) {
        return metadata.latest(serverId).orElseThrow(() -> new ApiException(404, "the target has no metadata of server '"
                + serverId + "': it arrives on the metadata topic once the source's inventory polled the server"));
    }

    /** The steps that rebuild the server from its newest metadata and its disks' recovery points. */
    public RestorePlan restorePlan(String serverId) {
        return planner.plan(serverMetadata(serverId).metadata());
    }

    /**
     * Starts rebuilding the server from its newest metadata in the restore cloud, as a job: its
     * disks' chains are pinned and the plan checked now (a disk without a recovery point is refused
     * before anything is made), the restore runs on the job's thread. One job per server at a time:
     * 409 while one runs.
     */
    public RestoreJobs.Job restore(String serverId) {
        ServerMetadataCatalog.Version version = serverMetadata(serverId);
        try {
            return jobs.start(serverId, jobId -> {
                ChainPins.Pinned pinned = pins.pin(jobId, version.metadata().disks().stream()
                        .map(d -> d.imageSpec()).filter(java.util.Objects::nonNull).toList());
                try {
                    RestorePlan plan = new RestorePlanner(pinned::chainOf, pinned::diffOf).plan(version.metadata());
                    RestoreRunner.check(plan);
                    RestoreRunner restorer = runner.get();
                    return new RestoreJobs.Prepared() {
                        @Override
                        public RestoreRunner.Result run() {
                            return restorer.restore(version.metadata(), plan);
                        }

                        @Override
                        public void close() {
                            pinned.close();
                        }
                    };
                } catch (RuntimeException e) {
                    pinned.close();
                    throw e;
                }
            });
        } catch (RestoreJobs.BusyException e) {
            throw new ApiException(409, e.getMessage());
        }
    }

    /** A restore job: running, or its result or error. */
    public RestoreJobs.Job restoreJob(String jobId) {
        return jobs.find(jobId).orElseThrow(() -> new ApiException(404, "no restore job '" + jobId + "' (jobs are "
                + "kept in memory: a restart forgets them; the last 100 finished ones are kept)"));
    }

    public List<RecoveryPoint> points(String pool, String image) {
        return pointsById(ApiException.volumeId(pool, image));
    }

    /** {@code GET /volumes/{id}/points} with the id URL-encoded in one segment. */
    public List<RecoveryPoint> points(String encodedId) {
        return pointsById(ApiException.volumeId(encodedId));
    }

    private List<RecoveryPoint> pointsById(String id) {
        List<RecoveryPoint> points = catalog.points(id);
        if (points.isEmpty()) {
            throw new ApiException(404, "the target has no recovery point of " + id);
        }
        return points;
    }
}
