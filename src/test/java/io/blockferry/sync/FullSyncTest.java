package io.blockferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.BlockferryRuntime;
import io.blockferry.demo.Checksums;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncRequest;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.transport.SyncMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FullSyncTest {

    private static final int MiB = 1 << 20;
    private static final int KiB = 1 << 10;
    private static final Duration ACK = Duration.ofMinutes(2);

    private BlockferryRuntime runtime;

    @BeforeAll
    void start(@TempDir Path data) {
        runtime = TestRuntimes.start(data, Map.of());
    }

    @AfterAll
    void stop() {
        runtime.close();
    }

    @Test
    void should_replicate_data_zeros_and_holes_bit_identically_when_size_is_not_a_chunk_multiple() throws Exception {
        long size = 48L * MiB + 300 * KiB;
        try (TestImage image = new TestImage("volumes", "it-full", size, 1)) {
            image.writeRandom(0, 3 * MiB);
            image.writeZeros(5L * MiB, MiB);
            image.writeRandom(8L * MiB + 4 * KiB, 128 * KiB);
            image.writeZeros(20L * MiB, 2 * MiB);
            image.writeRandom(40L * MiB, (int) (size - 40L * MiB));

            GenerationReport report = runtime.sync(SyncRequest.incremental(image.volumeId(), "test"));
            report.awaitCommitted(ACK);

            assertEquals(SyncMode.FULL, report.mode());
            assertEquals("first-sync", report.cause());
            long written = 3L * MiB + 128 * KiB + (size - 40L * MiB);
            assertEquals(LocalCeph.diffBytes("volumes", "it-full", report.snapshot()),
                    report.dataBytes() + report.zeroBytes(), "exactly what rbd diff lists as allocated is sent");
            assertTrue(report.dataBytes() >= written && report.dataBytes() <= written + 64 * KiB,
                    "holes are not sent: " + report.dataBytes() + " data bytes for " + written + " written");
            assertTrue(report.zeroBytes() >= 3L * MiB, "written zeros go as ZERO records without payload");
            Path replica = runtime.writer().repository().replica(image.volumeId());
            assertEquals(size, replica.toFile().length());
            assertEquals(LocalCeph.exportSha256("volumes", "it-full", report.snapshot()), Checksums.sha256(replica));
        }
    }

    @Test
    void should_restore_a_recovery_point_chain_with_stock_rbd_import_diff() throws Exception {
        long size = 16L * MiB;
        try (TestImage image = new TestImage("volumes", "it-chain", size, 2);
             TestImage restored = new TestImage("volumes", "it-chain-restored", size, 3)) {
            image.writeRandom(0, 6 * MiB);
            GenerationReport first = runtime.sync(SyncRequest.incremental(image.volumeId(), "test"));
            first.awaitCommitted(ACK);
            image.writeRandom(2L * MiB + 64 * KiB, 64 * KiB);
            image.writeRandom(10L * MiB, MiB);
            GenerationReport second = runtime.sync(SyncRequest.incremental(image.volumeId(), "test"));
            second.awaitCommitted(ACK);
            assertEquals(SyncMode.INCREMENTAL, second.mode());

            var repository = runtime.writer().repository();
            LocalCeph.rbd("import-diff", "--no-progress",
                    repository.pointDiff(image.volumeId(), first.generation()).toString(), restored.volumeId());
            LocalCeph.rbd("import-diff", "--no-progress",
                    repository.pointDiff(image.volumeId(), second.generation()).toString(), restored.volumeId());

            assertTrue(LocalCeph.snapshots("volumes", "it-chain-restored").contains(second.snapshot()));
            assertEquals(LocalCeph.exportSha256("volumes", "it-chain", second.snapshot()),
                    LocalCeph.exportSha256("volumes", "it-chain-restored", second.snapshot()));
        }
    }

    @Test
    void should_sync_with_4MiB_chunks(@TempDir Path otherData) throws Exception {
        long size = 21L * MiB + 4 * KiB;
        try (BlockferryRuntime big = TestRuntimes.start(otherData, Map.of("blockferry.source.chunk-size", "4M",
                "blockferry.kafka.record-size", "4M"));
             TestImage image = new TestImage("volumes", "it-full-4m", size, 4)) {
            image.writeRandom(MiB, 9 * MiB);
            image.writeRandom(17L * MiB, (int) (size - 17L * MiB));
            GenerationReport report = big.sync(SyncRequest.incremental(image.volumeId(), "test"));
            report.awaitCommitted(ACK);

            assertEquals(5, report.dataChunks(), "1-4, 4-8, 8-10 MiB; the tail 17-21 MiB crosses the cell at 20 MiB");
            Path replica = big.writer().repository().replica(image.volumeId());
            assertEquals(LocalCeph.exportSha256("volumes", "it-full-4m", report.snapshot()), Checksums.sha256(replica));
        }
    }
}
