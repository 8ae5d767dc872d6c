package io.blockferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.BlockferryRuntime;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.TargetChunkSums;
import io.blockferry.testing.Beans;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.Synced;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.testing.TopicWatch;
import io.blockferry.transport.ChunkSumsRecord;
import io.blockferry.transport.SyncMode;
import io.blockferry.source.SyncRequest;
import io.blockferry.transport.GenerationAck;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checksum resyncs on a real Ceph and Kafka: after a chain break the source reads the whole volume
 * and sends only the chunks whose SHA-256 differs from the sums the target published of its newest
 * point; the target's replica ends bit-identical to the source snapshot.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChecksumResyncTest {

    private static final int MiB = 1 << 20;
    private static final Duration WAIT = Duration.ofMinutes(3);

    private BlockferryRuntime runtime;
    private TopicWatch events;

    @BeforeAll
    void start(@TempDir Path data) {
        // every unchanged range verified, so a planted inconsistency is always found
        runtime = TestRuntimes.start(data, Map.of("blockferry.source.verify-sample-rate", "1"));
        events = TopicWatch.events(runtime.bootstrapServers());
    }

    @AfterAll
    void stop() {
        events.close();
        runtime.close();
    }

    @Test
    void should_send_only_the_changed_chunks_of_a_2_gib_volume_whose_base_snapshot_was_deleted() throws Exception {
        long size = 2048L * MiB;
        try (TestImage image = new TestImage("volumes", "it-checksum-resync", size, 71)) {
            // 512 MiB of data in four regions, the rest never written
            for (long region = 0; region < 4; region++) {
                for (int piece = 0; piece < 2; piece++) {
                    image.writeRandom(region * 512L * MiB + piece * 64L * MiB, 64 * MiB);
                }
            }
            GenerationReport first = sync(image.volumeId());
            assertEquals(SyncMode.FULL, first.mode());
            awaitSumsOf(image.volumeId(), size, first.generation());

            LocalCeph.rbd("snap", "rm", image.volumeId() + "@" + first.snapshot());
            // 1% of the 2048 chunks changed: 20 chunks of the written regions, 64 KiB in each
            Random random = new Random(7);
            TreeSet<Long> changed = new TreeSet<>();
            while (changed.size() < 20) {
                changed.add(random.nextInt(4) * 512L + random.nextInt(128));
            }
            for (long chunk : changed) {
                image.writeRandom(chunk * MiB + 4096, 64 * 1024);
            }

            GenerationReport resync = sync(image.volumeId());
            assertEquals(SyncMode.INCREMENTAL, resync.mode(), "a checksum resync is an incremental on the target's point");
            assertEquals("base-snapshot-missing", resync.cause());
            // each changed chunk is sent whole (1 MiB of data), nothing else
            assertEquals(20L * MiB, resync.dataBytes(), "bytes sent");
            assertTrue(resync.dataBytes() <= size / 100, "about 1% of the volume sent: " + resync.dataBytes());
            assertReplicaMatches(image, resync);
            JsonNode event = events.awaitEvent("chain-break", image.volumeId(), "base-snapshot-missing", WAIT);
            assertTrue(event.path("message").asText().contains("checksum resync on the target's point "
                    + first.generation()), event.toString());

            // the chain goes on from the resynced point as from any other
            awaitSumsOf(image.volumeId(), size, resync.generation());
            image.writeRandom(1600L * MiB, 3 * MiB);
            GenerationReport next = sync(image.volumeId());
            assertEquals(SyncMode.INCREMENTAL, next.mode());
            assertEquals("scheduled", next.cause());
            assertEquals(3L * MiB, next.dataBytes());
            assertReplicaMatches(image, next);
        }
    }

    @Test
    void should_resync_in_full_when_the_sums_do_not_add_up_to_the_targets_point() throws Exception {
        long size = 16L * MiB;
        try (TestImage image = new TestImage("volumes", "it-checksum-forged", size, 72)) {
            image.writeRandom(0, 12 * MiB);
            GenerationReport first = sync(image.volumeId());
            awaitSumsOf(image.volumeId(), size, first.generation());
            // a head whose digest does not match the segments held (a lost or foreign segment looks the same)
            sums().receive(ChunkSumsRecord.head(image.volumeId(), "", first.generation(), first.snapshot(), MiB, size,
                    1, "00".repeat(32)));

            LocalCeph.rbd("snap", "rm", image.volumeId() + "@" + first.snapshot());
            image.writeRandom(3L * MiB, MiB);
            GenerationReport resync = sync(image.volumeId());
            assertEquals(SyncMode.FULL, resync.mode(), "sums that do not add up are never used");
            assertEquals("base-snapshot-missing", resync.cause());
            assertEquals(12L * MiB, resync.dataBytes());
            assertReplicaMatches(image, resync);
        }
    }

    @Test
    void should_resync_by_checksum_after_a_diff_that_failed_verification() throws Exception {
        long size = 16L * MiB;
        try (TestImage image = new TestImage("volumes", "it-checksum-diff-invalid", size, 73)) {
            image.writeRandom(0, 8 * MiB);
            GenerationReport full = sync(image.volumeId());
            image.writeRandom(12L * MiB, MiB);
            GenerationReport checked = sync(image.volumeId());
            awaitSumsOf(image.volumeId(), size, checked.generation());

            // as a diff that missed a change would leave it: the recorded checksum of an unchanged range differs
            Synced.plantMissedChange(runtime, image.volumeId(), full.generation());
            CompletableFuture<GenerationAck> resynced = Beans.ackOf(runtime, image.volumeId(), checked.generation() + 2);
            image.writeRandom(14L * MiB, MiB);
            assertThrows(RuntimeException.class, () -> runtime.sync(SyncRequest.incremental(image.volumeId(), "test")));
            events.awaitEvent("chain-break", image.volumeId(), "diff-invalid", WAIT);

            // the automatic resync compares the disk with the target's own sums: only the chunk that
            // really changed is sent, although the source's record of the chain was wrong
            GenerationAck ack = resynced.get(2, TimeUnit.MINUTES);
            assertTrue(ack.committed(), ack.toString());
            assertEquals("INCREMENTAL", ack.mode());
            assertEquals(MiB, ack.dataBytes());
            String base = LocalCeph.snapshots("volumes", "it-checksum-diff-invalid").get(0);
            assertEquals(LocalCeph.exportSha256("volumes", "it-checksum-diff-invalid", base),
                    io.blockferry.demo.Checksums.sha256(runtime.writer().repository().replica(image.volumeId())));
        }
    }

    private TargetChunkSums sums() {
        return Beans.targetChunkSums(runtime);
    }

    private void awaitSumsOf(String volumeId, long size, long generation) {
        Synced.awaitTargetSums(runtime, volumeId, size, generation, WAIT);
    }

    private GenerationReport sync(String volumeId) {
        return Synced.committed(runtime, volumeId, WAIT);
    }

    private void assertReplicaMatches(TestImage image, GenerationReport report) throws Exception {
        Synced.assertReplicaIs(runtime, image, report);
    }
}
