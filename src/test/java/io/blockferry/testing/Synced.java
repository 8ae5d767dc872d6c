package io.blockferry.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.blockferry.BlockferryRuntime;
import io.blockferry.demo.Checksums;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncRequest;
import java.time.Duration;

/** A sync through the runtime's route awaited until committed, and the replica checked against the snapshot. */
public final class Synced {

    private Synced() {
    }

    /** Syncs the volume (incremental unless its chain says otherwise) and waits for the target's commit. */
    public static GenerationReport committed(BlockferryRuntime runtime, String volumeId, Duration wait) {
        GenerationReport report = runtime.sync(SyncRequest.incremental(volumeId, "test"));
        report.awaitCommitted(wait);
        return report;
    }

    /** The replica's SHA-256 equals {@code rbd export} of the image at the report's snapshot. */
    public static void assertReplicaIs(BlockferryRuntime runtime, TestImage image, GenerationReport report)
            throws Exception {
        assertEquals(LocalCeph.exportSha256(image.pool, image.name, report.snapshot()),
                Checksums.sha256(runtime.writer().repository().replica(image.volumeId())),
                "replica of " + image.volumeId() + " against @" + report.snapshot());
    }
}
