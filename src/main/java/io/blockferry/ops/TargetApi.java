package io.blockferry.ops;

import io.blockferry.source.VolumeRef;
import io.blockferry.target.RecoveryPoint;
import io.blockferry.target.RecoveryPointCatalog;
import java.util.List;

/** The target's part of the REST API: recovery points. */
public final class TargetApi {

    private final RecoveryPointCatalog catalog;

    public TargetApi(RecoveryPointCatalog catalog) {
        this.catalog = catalog;
    }

    public List<RecoveryPoint> points(String pool, String image) {
        String id;
        try {
            id = VolumeRef.parse(pool + "/" + image).toString();
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        }
        List<RecoveryPoint> points = catalog.points(id);
        if (points.isEmpty()) {
            throw new ApiException(404, "the target has no recovery point of " + id);
        }
        return points;
    }
}
