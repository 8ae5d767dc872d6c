package io.blockferry.ops;

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
        String id = ApiException.volumeId(pool, image);
        List<RecoveryPoint> points = catalog.points(id);
        if (points.isEmpty()) {
            throw new ApiException(404, "the target has no recovery point of " + id);
        }
        return points;
    }
}
