package io.blockferry.ops;

import io.blockferry.target.RecoveryPoint;
import io.blockferry.target.RecoveryPointCatalog;
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

    /** @param runner made at the first restore, so that a target without a cloud to restore to starts */
    public TargetApi(RecoveryPointCatalog catalog, ServerMetadataCatalog metadata, RestorePlanner planner,
                     Supplier<RestoreRunner> runner) {
        this.catalog = catalog;
        this.metadata = metadata;
        this.planner = planner;
        this.runner = runner;
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

    /** Rebuilds the server from its newest metadata in the restore cloud; answers once it is ACTIVE. */
    public RestoreRunner.Result restore(String serverId) {
        ServerMetadataCatalog.Version version = serverMetadata(serverId);
        return runner.get().restore(version.metadata(), planner.plan(version.metadata()));
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
