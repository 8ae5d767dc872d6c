package io.blockferry.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.blockferry.BlockferryRuntime;
import io.blockferry.demo.Checksums;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncRequest;
import io.blockferry.transport.ManifestEntry;
import io.blockferry.transport.ManifestFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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

    /**
     * Waits until the source holds the target's chunk sums of the volume's point {@code generation}
     * (the target publishes them after the commit), so a chain break now is resynced by checksum.
     */
    public static void awaitTargetSums(BlockferryRuntime runtime, String volumeId, long size, long generation,
                                       Duration wait) {
        Await.until(() -> Beans.targetChunkSums(runtime).find(volumeId, size, 1 << 20),
                found -> found.usable() && found.generation() == generation, wait,
                "the target's chunk sums of " + volumeId + " at generation " + generation);
    }

    /**
     * Leaves the source's manifest of {@code generation} as a diff that missed a change would: the
     * recorded checksum of its third range no longer matches the disk, so the next verification fails.
     */
    public static void plantMissedChange(BlockferryRuntime runtime, String volumeId, long generation)
            throws IOException {
        Path manifest = Beans.sourceManifests(runtime).file(volumeId, generation);
        try (FileChannel channel = FileChannel.open(manifest,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ManifestEntry entry = ManifestFile.entry(channel, 2);
            channel.position(2L * ManifestFile.ENTRY_BYTES);
            ManifestFile.append(channel, new ManifestEntry(
                    entry.zero(), entry.offset(), entry.length(), entry.crc32c() ^ 1));
        }
    }

    /** The replica's SHA-256 equals {@code rbd export} of the image at the report's snapshot. */
    public static void assertReplicaIs(BlockferryRuntime runtime, TestImage image, GenerationReport report)
            throws Exception {
        assertEquals(LocalCeph.exportSha256(image.pool, image.name, report.snapshot()),
                Checksums.sha256(runtime.writer().repository().replica(image.volumeId())),
                "replica of " + image.volumeId() + " against @" + report.snapshot());
    }
}
