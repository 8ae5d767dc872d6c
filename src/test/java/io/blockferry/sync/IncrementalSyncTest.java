package io.blockferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** One volume through a full sync and then incrementals of known changes, in order. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IncrementalSyncTest {

    private static final int MiB = 1 << 20;
    private static final int KiB = 1 << 10;
    private static final long SIZE = 64L * MiB;

    private BlockferryRuntime runtime;
    private TestImage image;

    @BeforeAll
    void start(@TempDir Path data) {
        runtime = TestRuntimes.start(data, Map.of());
        image = new TestImage("volumes", "it-incremental", SIZE, 11);
        image.writeRandom(0, (int) SIZE);
        GenerationReport full = sync();
        assertEquals(SyncMode.FULL, full.mode());
        assertEquals(SIZE, full.dataBytes());
    }

    @AfterAll
    void stop() {
        image.close();
        runtime.close();
    }

    @Test
    @Order(1)
    void should_send_only_scattered_64KiB_writes() throws Exception {
        for (int i = 0; i < 10; i++) {
            image.writeRandom(i * 6L * MiB + 128 * KiB + i * 4 * KiB, 64 * KiB);
        }
        GenerationReport report = sync();

        assertEquals(SyncMode.INCREMENTAL, report.mode());
        assertEquals(10L * 64 * KiB, report.dataBytes());
        assertEquals(10, report.dataChunks());
        assertEquals(0, report.zeroChunks());
        assertReplicaMatches(report);
    }

    @Test
    @Order(2)
    void should_send_only_4MiB_writes_as_1MiB_chunks() throws Exception {
        for (long offset : List.of(8L * MiB, 24L * MiB, 52L * MiB)) {
            image.writeRandom(offset, 4 * MiB);
        }
        GenerationReport report = sync();

        assertEquals(12L * MiB, report.dataBytes());
        assertEquals(12, report.dataChunks());
        assertReplicaMatches(report);
    }

    @Test
    @Order(3)
    void should_send_zeros_written_over_data_as_zero_records() throws Exception {
        image.writeZeros(30L * MiB, 2 * MiB);
        GenerationReport report = sync();

        assertEquals(0, report.dataBytes());
        assertEquals(2, report.zeroChunks());
        assertReplicaMatches(report);
    }

    @Test
    @Order(4)
    void should_send_no_data_for_an_unchanged_volume() throws Exception {
        GenerationReport report = sync();

        assertEquals(SyncMode.INCREMENTAL, report.mode());
        assertEquals(0, report.dataChunks());
        assertEquals(0, report.zeroChunks());
        assertReplicaMatches(report);
    }

    @Test
    @Order(5)
    void should_keep_only_the_acked_base_snapshot_on_the_source() {
        GenerationReport report = sync();

        assertEquals(List.of(report.snapshot()), LocalCeph.snapshots("volumes", "it-incremental"));
    }

    private GenerationReport sync() {
        GenerationReport report = runtime.sync(SyncRequest.incremental(image.volumeId(), "test"));
        report.awaitCommitted(Duration.ofMinutes(2));
        return report;
    }

    private void assertReplicaMatches(GenerationReport report) throws Exception {
        assertEquals(LocalCeph.exportSha256("volumes", "it-incremental", report.snapshot()),
                Checksums.sha256(runtime.writer().repository().replica(image.volumeId())));
    }
}
