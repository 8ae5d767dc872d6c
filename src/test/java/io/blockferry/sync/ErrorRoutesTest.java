package io.blockferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.BlockferryRuntime;
import io.blockferry.demo.Checksums;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SnapshotLimitException;
import io.blockferry.source.SyncRequest;
import io.blockferry.target.Scrubber;
import io.blockferry.testing.Beans;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.Synced;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.testing.TopicWatch;
import io.blockferry.transport.GenerationAck;
import io.blockferry.transport.SyncMode;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The error routes against real Ceph and Kafka: each hard case gets its event and its recovery. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorRoutesTest {

    private static final int MiB = 1 << 20;
    private static final Duration WAIT = Duration.ofMinutes(2);

    private BlockferryRuntime runtime;
    private TopicWatch events;

    @BeforeAll
    void start(@TempDir Path data) {
        // verify every unchanged range, so a planted inconsistency is always found; chain breaks resync
        // in full here (what each cause does); checksum resyncs of the same causes are ChecksumResyncTest's
        runtime = TestRuntimes.start(data, Map.of("blockferry.source.verify-sample-rate", "1",
                "blockferry.source.chain-break-resync", "full"));
        events = TopicWatch.events(runtime.bootstrapServers());
    }

    @AfterAll
    void stop() {
        events.close();
        runtime.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void should_stop_only_the_volume_at_its_snapshot_limit_and_sync_it_once_there_is_room() throws Exception {
        try (TestImage full = new TestImage("volumes", "it-limit-full", 8L * MiB, 31);
             TestImage other = new TestImage("volumes", "it-limit-other", 8L * MiB, 32)) {
            full.writeRandom(0, 2 * MiB);
            other.writeRandom(0, 2 * MiB);
            for (int i = 0; i < 128; i++) {
                full.snapshot("cinder-" + i);
            }
            CompletableFuture<GenerationAck> otherAck = Beans.ackOf(runtime, other.volumeId(), 1);
            Beans.submit(runtime, SyncRequest.incremental(full.volumeId(), "test"));
            Beans.submit(runtime, SyncRequest.incremental(other.volumeId(), "test"));

            JsonNode event = events.awaitEvent("snapshot-limit", full.volumeId(), null, WAIT);
            assertEquals(128, event.path("counts").path("count").asLong());
            assertEquals(128, event.path("counts").path("limit").asLong());
            assertEquals(128, event.path("counts").path("foreign").asLong());
            assertTrue(otherAck.get(WAIT.toSeconds(), TimeUnit.SECONDS).committed(),
                    "the other volume queued with it synced");

            LocalCeph.rbd("snap", "purge", full.volumeId());
            GenerationReport retried = sync(full.volumeId());
            assertReplicaMatches(full, retried);
        }
    }

    @Test
    void should_turn_librbds_snapshot_quota_into_the_same_event() throws Exception {
        try (TestImage image = new TestImage("volumes", "it-quota", 8L * MiB, 33)) {
            image.writeRandom(0, MiB);
            sync(image.volumeId());
            LocalCeph.rbd("snap", "limit", "set", "--limit", "1", image.volumeId());

            SnapshotLimitException e = assertThrows(SnapshotLimitException.class,
                    () -> runtime.sync(SyncRequest.incremental(image.volumeId(), "test")));
            assertTrue(e.getMessage().contains("EDQUOT"), e.getMessage());
            JsonNode event = events.awaitEvent("snapshot-limit", image.volumeId(), null, WAIT);
            assertTrue(event.path("message").asText().contains("rbd snap limit"), event.toString());
            LocalCeph.rbd("snap", "limit", "clear", image.volumeId());
        }
    }

    @Test
    void should_resync_in_full_when_the_base_snapshot_was_deleted_outside() throws Exception {
        try (TestImage image = new TestImage("volumes", "it-base-gone", 16L * MiB, 34)) {
            image.writeRandom(0, 6 * MiB);
            GenerationReport first = sync(image.volumeId());
            LocalCeph.rbd("snap", "rm", image.volumeId() + "@" + first.snapshot());
            image.writeRandom(3L * MiB, MiB);

            GenerationReport resync = sync(image.volumeId());
            assertEquals(SyncMode.FULL, resync.mode());
            assertEquals("base-snapshot-missing", resync.cause());
            events.awaitEvent("chain-break", image.volumeId(), "base-snapshot-missing", WAIT);
            assertReplicaMatches(image, resync);
        }
    }

    @Test
    void should_resync_in_full_at_the_new_size_when_the_volume_grows_or_shrinks() throws Exception {
        try (TestImage image = new TestImage("volumes", "it-resized", 16L * MiB, 35)) {
            image.writeRandom(0, 12 * MiB);
            sync(image.volumeId());

            image.resize(24L * MiB);
            image.writeRandom(20L * MiB, 2 * MiB);
            GenerationReport grown = sync(image.volumeId());
            assertEquals("volume-resized", grown.cause());
            assertEquals(24L * MiB, runtime.writer().repository().replica(image.volumeId()).toFile().length());
            assertReplicaMatches(image, grown);

            image.resize(10L * MiB);
            GenerationReport shrunk = sync(image.volumeId());
            assertEquals("volume-resized", shrunk.cause());
            assertEquals(10L * MiB, runtime.writer().repository().replica(image.volumeId()).toFile().length());
            assertReplicaMatches(image, shrunk);
            events.awaitEvent("chain-break", image.volumeId(), "volume-resized", WAIT);
        }
    }

    @Test
    void should_name_an_image_recreated_under_the_same_name() throws Exception {
        try (TestImage image = new TestImage("volumes", "it-recreated", 8L * MiB, 36)) {
            image.writeRandom(0, MiB);
            sync(image.volumeId());
        }
        try (TestImage again = new TestImage("volumes", "it-recreated", 8L * MiB, 37)) {
            again.writeRandom(MiB, MiB);
            GenerationReport resync = sync(again.volumeId());
            assertEquals(SyncMode.FULL, resync.mode());
            assertEquals("image-recreated", resync.cause());
            events.awaitEvent("chain-break", again.volumeId(), "image-recreated", WAIT);
            assertReplicaMatches(again, resync);
        }
    }

    @Test
    void should_catch_a_diff_that_missed_a_change_and_resync_in_full() throws Exception {
        try (TestImage image = new TestImage("volumes", "it-diff-invalid", 16L * MiB, 38)) {
            image.writeRandom(0, 8 * MiB);
            GenerationReport full = sync(image.volumeId());
            image.writeRandom(12L * MiB, MiB);
            GenerationReport checked = sync(image.volumeId());
            assertEquals(SyncMode.INCREMENTAL, checked.mode(), "verification of an honest diff passes");

            // as a diff that missed a change would leave it: the recorded checksum of an unchanged range differs
            Synced.plantMissedChange(runtime, image.volumeId(), full.generation());
            // the generation after the checked one fails verification; the one after that is the resync
            CompletableFuture<GenerationAck> resynced = Beans.ackOf(runtime, image.volumeId(), checked.generation() + 2);
            image.writeRandom(14L * MiB, MiB);

            assertThrows(RuntimeException.class, () -> runtime.sync(SyncRequest.incremental(image.volumeId(), "test")));
            JsonNode event = events.awaitEvent("chain-break", image.volumeId(), "diff-invalid", WAIT);
            assertTrue(event.path("message").asText().contains("CRC32C"), event.toString());
            assertTrue(resynced.get(120, TimeUnit.SECONDS).committed(), "the automatic full resync was committed");
            String base = LocalCeph.snapshots("volumes", "it-diff-invalid").get(0);
            assertEquals("FULL", runtime.writer().catalog().latest(image.volumeId()).orElseThrow().mode());
            assertEquals(LocalCeph.exportSha256("volumes", "it-diff-invalid", base),
                    Checksums.sha256(runtime.writer().repository().replica(image.volumeId())));
        }
    }

    @Test
    void should_find_a_flipped_byte_in_the_replica_and_resync_in_full() throws Exception {
        try (TestImage image = new TestImage("volumes", "it-scrub", 16L * MiB, 39)) {
            image.writeRandom(0, 6 * MiB);
            sync(image.volumeId());
            image.writeRandom(MiB, MiB);
            GenerationReport latest = sync(image.volumeId());
            Scrubber.Report clean = Beans.scrubber(runtime).scrub(image.volumeId());
            assertEquals(0, clean.mismatches());
            assertTrue(clean.rangesChecked() > 0);

            Path replica = runtime.writer().repository().replica(image.volumeId());
            try (RandomAccessFile file = new RandomAccessFile(replica.toFile(), "rw")) {
                file.seek(4L * MiB + 12345);
                int b = file.read();
                file.seek(4L * MiB + 12345);
                file.write(b ^ 0x10);
            }
            CompletableFuture<GenerationAck> resynced = Beans.ackOf(runtime, image.volumeId(), latest.generation() + 1);
            Scrubber.Report corrupt = Beans.scrubber(runtime).scrub(image.volumeId());

            assertEquals(1, corrupt.mismatches());
            events.awaitEvent("target-corrupt", image.volumeId(), "target-corrupt", WAIT);
            events.awaitEvent("resync-requested", image.volumeId(), "target-corrupt", WAIT);
            assertTrue(resynced.get(120, TimeUnit.SECONDS).committed(), "the requested full resync was committed");
            assertEquals("FULL", runtime.writer().catalog().latest(image.volumeId()).orElseThrow().mode());
            String base = LocalCeph.snapshots("volumes", "it-scrub").get(0);
            assertEquals(LocalCeph.exportSha256("volumes", "it-scrub", base), Checksums.sha256(replica));
            assertTrue(latest.generation() < runtime.writer().catalog().latest(image.volumeId()).orElseThrow().generation());
        }
    }

    private GenerationReport sync(String volumeId) {
        return Synced.committed(runtime, volumeId, WAIT);
    }

    private void assertReplicaMatches(TestImage image, GenerationReport report) throws Exception {
        Synced.assertReplicaIs(runtime, image, report);
    }
}
