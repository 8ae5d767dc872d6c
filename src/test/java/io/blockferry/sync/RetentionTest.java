package io.blockferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.BlockferryRuntime;
import io.blockferry.demo.Checksums;
import io.blockferry.events.Event;
import io.blockferry.ops.TargetApi;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncOptions;
import io.blockferry.source.SyncRequest;
import io.blockferry.target.RecoveryPoint;
import io.blockferry.target.Scrubber;
import io.blockferry.testing.Beans;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.testing.TopicWatch;
import io.blockferry.transport.SyncMode;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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

/**
 * Target retention against real Ceph and Kafka: a policy keeps two points of a volume, the
 * target's default keeps three of another, and every point kept restores with stock rbd.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RetentionTest {

    private static final int MiB = 1 << 20;
    private static final int KiB = 1 << 10;
    private static final long SIZE = 32L * MiB;
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final SyncOptions KEEP_TWO = new SyncOptions("test-policy", 1, 2, 0, null, null);

    private BlockferryRuntime runtime;
    private TopicWatch events;
    private TestImage image;
    /** SHA-256 of the source snapshot of each generation, taken before the next write. */
    private final Map<Long, String> sourceSha = new HashMap<>();
    private final List<GenerationReport> reports = new ArrayList<>();

    @BeforeAll
    void start(@TempDir Path data) {
        runtime = TestRuntimes.start(data, Map.of("blockferry.target.keep-points", "3"));
        events = TopicWatch.events(runtime.bootstrapServers());
        image = new TestImage("volumes", "it-retention", SIZE, 51);
    }

    @AfterAll
    void stop() {
        image.close();
        events.close();
        runtime.close();
    }

    @Test
    @Order(1)
    void should_keep_the_policys_two_points_each_restorable_with_stock_rbd_import_diff() throws Exception {
        image.writeRandom(0, 8 * MiB);
        image.writeZeros(12L * MiB, MiB);
        image.writeRandom(20L * MiB, 2 * MiB);
        sync(KEEP_TWO);
        image.writeRandom(MiB + 4 * KiB, 64 * KiB);
        image.writeZeros(20L * MiB, 512 * KiB);
        image.writeRandom(26L * MiB, MiB);
        sync(KEEP_TWO);
        image.writeRandom(MiB, 2 * MiB);
        image.writeRandom(12L * MiB + 100 * KiB, 4 * KiB);
        GenerationReport third = sync(KEEP_TWO);
        image.writeRandom(7L * MiB, 2 * MiB);
        image.writeZeros(0, 64 * KiB);
        GenerationReport fourth = sync(KEEP_TWO);

        awaitOldestKept(image.volumeId(), third.generation());

        List<RecoveryPoint> points = runtime.writer().catalog().points(image.volumeId());
        assertEquals(List.of(third.generation(), fourth.generation()),
                points.stream().map(RecoveryPoint::generation).toList());
        assertEquals("FULL", points.get(0).mode(), "the oldest point kept was merged into a full point");
        assertTrue(points.get(0).baseSnapshot().isEmpty(), "a full point has no base");
        assertEquals("INCREMENTAL", points.get(1).mode());
        assertEquals(third.snapshot(), points.get(1).baseSnapshot());
        assertEquals(List.of(name(third, ".manifest"), name(third, ".rbddiff"), name(fourth, ".manifest"),
                name(fourth, ".rbddiff")), pointFiles(), "nothing else is left in the points directory");
        assertEquals(sourceSha.get(third.generation()), restore("it-retention-g3", third));
        assertEquals(sourceSha.get(fourth.generation()), restore("it-retention-g4", third, fourth));
        TargetApi api = runtime.camelContext().getRegistry().lookupByNameAndType("targetApi", TargetApi.class);
        assertEquals(2, api.points("volumes", "it-retention").size());
    }

    @Test
    @Order(2)
    void should_scrub_and_sync_on_after_pruning() throws Exception {
        Scrubber.Report clean = Beans.scrubber(runtime).scrub(image.volumeId());
        assertEquals(0, clean.mismatches());
        assertTrue(clean.rangesChecked() > 0);

        // a byte only the first generation wrote: its checksum now lives in the merged point's manifest
        List<Event> seen = new ArrayList<>();
        Scrubber quiet = new Scrubber(runtime.writer().repository(), runtime.writer().catalog(), runtime.writer()::replica,
                runtime.writer()::lockOf,
                seen::add);
        flipByte(4L * MiB + 12345);
        Scrubber.Report corrupt = quiet.scrub(image.volumeId());
        flipByte(4L * MiB + 12345);
        assertEquals(1, corrupt.mismatches(), "the merged manifest still guards ranges of the removed points");
        assertEquals("target-corrupt", seen.get(0).type());
        assertEquals(0, quiet.scrub(image.volumeId()).mismatches());

        image.writeRandom(30L * MiB, MiB);
        GenerationReport fifth = sync(KEEP_TWO);
        assertEquals(SyncMode.INCREMENTAL, fifth.mode(), "the chain goes on from the newest point");
        assertEquals(sourceSha.get(fifth.generation()),
                Checksums.sha256(runtime.writer().repository().replica(image.volumeId())));
        GenerationReport fourth = reports.get(reports.size() - 2);
        awaitOldestKept(image.volumeId(), fourth.generation());
        assertEquals(List.of(fourth.generation(), fifth.generation()), runtime.writer().catalog()
                .points(image.volumeId()).stream().map(RecoveryPoint::generation).toList());
        assertEquals(0, Beans.scrubber(runtime).scrub(image.volumeId()).mismatches());
        assertEquals(sourceSha.get(fifth.generation()), restore("it-retention-g5", fourth, fifth));
    }

    @Test
    @Order(3)
    void should_keep_the_targets_default_when_the_sync_does_not_say() throws Exception {
        try (TestImage other = new TestImage("volumes", "it-retention-default", 8L * MiB, 52)) {
            List<GenerationReport> synced = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                other.writeRandom(i * MiB, MiB);
                GenerationReport report = runtime.sync(SyncRequest.incremental(other.volumeId(), "test"));
                report.awaitCommitted(WAIT);
                synced.add(report);
            }

            awaitOldestKept(other.volumeId(), synced.get(1).generation());

            List<RecoveryPoint> points = runtime.writer().catalog().points(other.volumeId());
            assertEquals(3, points.size(), "blockferry.target.keep-points is 3 here");
            assertEquals("FULL", points.get(0).mode());
            assertEquals(LocalCeph.exportSha256("volumes", "it-retention-default", synced.get(3).snapshot()),
                    Checksums.sha256(runtime.writer().repository().replica(other.volumeId())));
        }
    }

    private GenerationReport sync(SyncOptions options) {
        GenerationReport report = runtime.sync(new SyncRequest(image.volumeId(), false, "test", options));
        report.awaitCommitted(WAIT);
        sourceSha.put(report.generation(), LocalCeph.exportSha256(image.pool, image.name, report.snapshot()));
        reports.add(report);
        return report;
    }

    /** Waits for the points-pruned event after which {@code generation} is the oldest point kept. */
    private void awaitOldestKept(String volumeId, long generation) {
        events.await(s -> {
            var event = s.json();
            return "points-pruned".equals(event.path("type").asText())
                    && volumeId.equals(event.path("volumeId").asText())
                    && event.path("counts").path("oldestGeneration").asLong() == generation;
        }, WAIT, "points-pruned event keeping generation " + generation + " of " + volumeId + " as the oldest");
    }

    /** Imports the chain into a fresh image with stock rbd; returns the SHA-256 of the last snapshot imported. */
    private String restore(String name, GenerationReport... chain) {
        try (TestImage restored = new TestImage("volumes", name, SIZE, 0)) {
            for (GenerationReport point : chain) {
                LocalCeph.rbd("import-diff", "--no-progress",
                        runtime.writer().repository().pointDiff(image.volumeId(), point.generation()).toString(),
                        restored.volumeId());
            }
            return LocalCeph.exportSha256("volumes", name, chain[chain.length - 1].snapshot());
        }
    }

    private void flipByte(long offset) throws Exception {
        try (RandomAccessFile replica = new RandomAccessFile(
                runtime.writer().repository().replica(image.volumeId()).toFile(), "rw")) {
            replica.seek(offset);
            int b = replica.read();
            replica.seek(offset);
            replica.write(b ^ 0x10);
        }
    }

    private List<String> pointFiles() {
        return runtime.writer().repository().pointFiles(image.volumeId()).stream()
                .map(p -> p.getFileName().toString()).toList();
    }

    private String name(GenerationReport report, String suffix) {
        return runtime.writer().repository().pointDiff(image.volumeId(), report.generation()).getFileName()
                .toString().replace(".rbddiff", suffix);
    }
}
