package io.blockferry.ops;

import io.blockferry.access.AccessException;
import io.blockferry.access.FileBrowser;
import io.blockferry.access.NbdExport;
import io.blockferry.access.PointExports;
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
    private final PointExports exports;
    private final FileBrowser files;

    /**
     * @param runner made at the first restore, so that a target without a cloud to restore to starts
     * @param pins   pins the chains a restore reads, so retention cannot change them under it
     */
    public TargetApi(RecoveryPointCatalog catalog, ServerMetadataCatalog metadata, RestorePlanner planner,
                     Supplier<RestoreRunner> runner, ChainPins pins, RestoreJobs jobs, PointExports exports,
                     FileBrowser files) {
        this.catalog = catalog;
        this.metadata = metadata;
        this.planner = planner;
        this.runner = runner;
        this.pins = pins;
        this.jobs = jobs;
        this.exports = exports;
        this.files = files;
    }

    /**
     * {@code GET /volumes/{pool}/{image}/points/{gen}/files?path=/p1/etc}: a directory of a point's
     * filesystem ({@code /} lists the partitions and filesystems found); {@code gen} may be
     * {@code latest}. The point is mounted read-only at the first call and kept mounted for the next.
     */
    public FileBrowser.Listing files(String pool, String image, String gen, String path) {
        return filesOf(ApiException.volumeId(pool, image), gen, path);
    }

    /** {@code GET /volumes/{id}/points/{gen}/files} with the volume id URL-encoded in one segment. */
    public FileBrowser.Listing filesById(String encodedId, String gen, String path) {
        return filesOf(ApiException.volumeId(encodedId), gen, path);
    }

    private FileBrowser.Listing filesOf(String volumeId, String gen, String path) {
        Long generation = generation(volumeId, gen);
        try {
            return files.list(volumeId, generation, path);
        } catch (AccessException e) {
            throw api(e);
        }
    }

    /** {@code GET /volumes/{pool}/{image}/points/{gen}/files/content?path=/p1/etc/hostname}: the file, streamed. */
    public FileBrowser.Content fileContent(String pool, String image, String gen, String path) {
        return contentOf(ApiException.volumeId(pool, image), gen, path);
    }

    /** {@code GET /volumes/{id}/points/{gen}/files/content} with the volume id URL-encoded in one segment. */
    public FileBrowser.Content fileContentById(String encodedId, String gen, String path) {
        return contentOf(ApiException.volumeId(encodedId), gen, path);
    }

    private FileBrowser.Content contentOf(String volumeId, String gen, String path) {
        if (path == null || path.isBlank()) {
            throw new ApiException(400, "path is missing: the file to fetch, such as ?path=/p1/etc/hostname");
        }
        Long generation = generation(volumeId, gen);
        try {
            return files.open(volumeId, generation, path);
        } catch (AccessException e) {
            throw api(e);
        }
    }

    private static Long generation(String volumeId, String gen) {
        if (gen == null || gen.isBlank() || gen.equals("latest")) {
            return null;
        }
        try {
            return Long.parseLong(gen.strip());
        } catch (NumberFormatException e) {
            throw new ApiException(400, "the point must be a generation number (GET /api/volumes/" + volumeId
                    + "/points) or latest, not '" + gen + "'");
        }
    }

    /**
     * {@code POST /volumes/{pool}/{image}/exports?point=GEN&writable=true}: exports a recovery point
     * (the newest without {@code point}) over NBD; answers the export with its {@code uri}.
     */
    public NbdExport mount(String pool, String image, String point, String writable) {
        return mountVolume(ApiException.volumeId(pool, image), point, writable);
    }

    /** {@code POST /volumes/{id}/exports} with the volume id URL-encoded in one segment. */
    public NbdExport mountById(String encodedId, String point, String writable) {
        return mountVolume(ApiException.volumeId(encodedId), point, writable);
    }

    private NbdExport mountVolume(String volumeId, String point, String writable) {
        Long generation;
        try {
            generation = point == null || point.isBlank() ? null : Long.parseLong(point.strip());
        } catch (NumberFormatException e) {
            throw new ApiException(400, "point must be a generation number (GET /api/volumes/" + volumeId
                    + "/points), not '" + point + "'");
        }
        if (writable != null && !writable.isBlank() && !writable.equals("true") && !writable.equals("false")) {
            throw new ApiException(400, "writable must be true or false, not '" + writable + "'");
        }
        try {
            return exports.open(volumeId, generation, "true".equals(writable));
        } catch (AccessException e) {
            throw api(e);
        }
    }

    /** {@code GET /exports}: the open exports, oldest first. */
    public List<NbdExport> exports() {
        return exports.list();
    }

    /** {@code GET /exports/{id}}. */
    public NbdExport export(String id) {
        return exports.find(id).orElseThrow(() -> new ApiException(404, "no open export '" + id + "' (GET /api/exports "
                + "lists them; they end when Blockferry stops)"));
    }

    /** {@code DELETE /exports/{id}}: closes it (its clients are disconnected) and releases its point. */
    public NbdExport unmount(String id) {
        try {
            return exports.close(id);
        } catch (AccessException e) {
            throw api(e);
        }
    }

    private static ApiException api(AccessException e) {
        int status = switch (e.kind()) {
            case NOT_FOUND -> 404;
            case UNAVAILABLE -> 503;
            case FAILED -> 500;
            case REFUSED -> 403;
            case INVALID -> 400;
        };
        return new ApiException(status, e.getMessage());
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
