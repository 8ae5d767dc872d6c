package io.blockferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.BlockferryRuntime;
import io.blockferry.demo.Checksums;
import io.blockferry.source.ChunkStream;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncFailedException;
import io.blockferry.source.SyncRequest;
import io.blockferry.target.RecoveryPoint;
import io.blockferry.testing.Await;
import io.blockferry.testing.Beans;
import io.blockferry.testing.ChunkTopic;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.testing.TopicWatch;
import io.blockferry.transport.ChunkCodec;
import io.blockferry.transport.ChunkRecord;
import io.blockferry.transport.GenerationAck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source-only and a target-only Blockferry sharing one Kafka, so the test can restart the
 * writer, replay records, withhold END, or damage a chunk, and check the target each time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WriterResilienceTest {

    private static final int MiB = 1 << 20;
    private static final Duration ACK = Duration.ofMinutes(2);

    private Path targetData;
    private BlockferryRuntime source;
    private BlockferryRuntime target;
    private ChunkTopic topic;
    private TestImage image;
    private GenerationReport lastCommitted;

    @BeforeAll
    void start(@TempDir Path sourceData, @TempDir Path targetData) {
        this.targetData = targetData;
        // ack timeout 0: a generation the test leaves unfinished does not block the next sync
        source = TestRuntimes.start(sourceData, Map.of("blockferry.roles", "source",
                "blockferry.source.ack-timeout-seconds", "0"));
        target = startTarget();
        topic = new ChunkTopic(source.bootstrapServers());
        image = new TestImage("volumes", "it-writer", 32L * MiB, 21);
        image.writeRandom(0, 20 * MiB);
        lastCommitted = source.sync(SyncRequest.incremental(image.volumeId(), "test"));
        lastCommitted.awaitCommitted(ACK);
    }

    private BlockferryRuntime startTarget() {
        return TestRuntimes.start(targetData, Map.of("blockferry.roles", "target",
                "blockferry.kafka.bootstrap-servers", source.bootstrapServers(),
                "blockferry.target.checkpoint-bytes", "2M"));
    }

    @AfterAll
    void stop() {
        topic.close();
        target.close();
        image.close();
        source.close();
    }

    @Test
    @Order(1)
    void should_complete_a_generation_when_the_writer_restarts_in_the_middle() throws Exception {
        changeSomeBlocks();
        ChunkStream stream = Beans.planner(source).open(SyncRequest.incremental(image.volumeId(), "test"));
        List<byte[]> frames = ChunkTopic.frames(stream);
        GenerationReport report = Beans.planner(source).published(stream);
        int half = frames.size() / 2;

        long before = target.writer().recordsApplied();
        topic.publish(image.volumeId(), frames.subList(0, half));
        awaitApplied(before + half, "the writer staged the first half");
        assertEquals(lastCommitted.generation(), latestPoint().generation(), "nothing committed mid-generation");

        target.close();
        target = startTarget();
        topic.publish(image.volumeId(), frames.subList(half - 3, frames.size()));

        report.awaitCommitted(ACK);
        assertTargetMatches(report);
        lastCommitted = report;
    }

    @Test
    @Order(2)
    void should_ignore_a_replayed_generation() throws Exception {
        ChunkStream stream = Beans.planner(source).open(SyncRequest.incremental(image.volumeId(), "test"));
        List<byte[]> frames = ChunkTopic.frames(stream);
        GenerationReport report = Beans.planner(source).published(stream);
        topic.publish(image.volumeId(), frames);
        report.awaitCommitted(ACK);
        int points = target.writer().catalog().points(image.volumeId()).size();

        long before = target.writer().recordsApplied();
        topic.publish(image.volumeId(), frames);
        topic.publish(image.volumeId(), frames);
        awaitApplied(before + 2L * frames.size(), "the writer saw both replays");

        assertEquals(points, target.writer().catalog().points(image.volumeId()).size());
        assertTargetMatches(report);
        lastCommitted = report;
    }

    @Test
    @Order(3)
    void should_keep_the_last_recovery_point_intact_when_END_never_comes() throws Exception {
        changeSomeBlocks();
        ChunkStream stream = Beans.planner(source).open(SyncRequest.incremental(image.volumeId(), "test"));
        List<byte[]> frames = ChunkTopic.frames(stream);
        Beans.planner(source).published(stream);

        long before = target.writer().recordsApplied();
        topic.publish(image.volumeId(), frames.subList(0, frames.size() - 1));
        awaitApplied(before + frames.size() - 1, "the writer staged every record but END");

        assertEquals(lastCommitted.generation(), latestPoint().generation());
        assertTargetMatches(lastCommitted);

        GenerationReport next = source.sync(SyncRequest.incremental(image.volumeId(), "test"));
        next.awaitCommitted(ACK);
        assertTargetMatches(next);
        lastCommitted = next;
    }

    @Test
    @Order(4)
    void should_dead_letter_a_corrupt_chunk_keep_the_target_intact_and_resync() throws Exception {
        changeSomeBlocks();
        ChunkStream stream = Beans.planner(source).open(SyncRequest.incremental(image.volumeId(), "test"));
        List<byte[]> frames = new ArrayList<>(ChunkTopic.frames(stream));
        GenerationReport report = Beans.planner(source).published(stream);
        for (int i = 0; i < frames.size(); i++) {
            if (ChunkCodec.decode(frames.get(i)) instanceof ChunkRecord.Data d) {
                byte[] flipped = d.payloadBytes();
                flipped[flipped.length / 2] ^= 0x40;
                frames.set(i, ChunkCodec.encode(new ChunkRecord.Data(d.volumeId(), d.generation(), d.seq(),
                        d.offset(), d.crc32c(), flipped)));
                break;
            }
        }
        // hold the source's resync, so the intact recovery point can be seen before it is superseded
        source.camelContext().getRouteController().stopRoute("resync");
        CompletableFuture<GenerationAck> resynced = Beans.ackOf(source, image.volumeId(), report.generation() + 1);
        try (TopicWatch deadLetters = new TopicWatch(source.bootstrapServers(), "blockferry.dead-letters");
             TopicWatch events = TopicWatch.events(source.bootstrapServers())) {
            topic.publish(image.volumeId(), frames);

            SyncFailedException rejected = assertThrows(SyncFailedException.class, () -> report.awaitCommitted(ACK));
            assertTrue(rejected.getMessage().contains("chunk-corrupt"), rejected.getMessage());
            assertTrue(rejected.getMessage().contains("CRC32C"), rejected.getMessage());
            TopicWatch.Seen dead = deadLetters.await(s -> "chunk-corrupt".equals(s.headers().get("blockferry-cause")),
                    Duration.ofSeconds(30), "dead-lettered chunk");
            assertEquals(image.volumeId(), dead.key());
            assertTrue(ChunkCodec.decode(dead.value()) instanceof ChunkRecord.Data, "the original record, unchanged");
            events.awaitEvent("resync-requested", image.volumeId(), "chunk-corrupt", Duration.ofSeconds(30));
            assertEquals(lastCommitted.generation(), latestPoint().generation());
            assertTargetMatches(lastCommitted);
        } finally {
            source.camelContext().getRouteController().startRoute("resync");
        }
        assertTrue(resynced.get(120, TimeUnit.SECONDS).committed(), "the requested resync was committed");
        String base = LocalCeph.snapshots("volumes", "it-writer").get(0);
        assertEquals(LocalCeph.exportSha256("volumes", "it-writer", base),
                Checksums.sha256(target.writer().repository().replica(image.volumeId())));
        lastCommitted = null;
    }

    @Test
    @Order(5)
    void should_dead_letter_a_record_that_is_not_a_chunk_record_and_keep_writing() throws Exception {
        try (TopicWatch deadLetters = new TopicWatch(source.bootstrapServers(), "blockferry.dead-letters")) {
            topic.publish(image.volumeId(), List.of("{\"not\":\"a chunk\"}".getBytes()));
            TopicWatch.Seen dead = deadLetters.await(s -> "not-a-chunk-record".equals(s.headers().get("blockferry-cause")),
                    Duration.ofSeconds(30), "dead-lettered foreign record");
            assertEquals("{\"not\":\"a chunk\"}", new String(dead.value()));
            assertTrue(dead.headers().get("blockferry-message").contains("not a chunk record"));
        }
        changeSomeBlocks();
        GenerationReport after = source.sync(SyncRequest.incremental(image.volumeId(), "test"));
        after.awaitCommitted(ACK);
        assertTargetMatches(after);
    }

    private void changeSomeBlocks() {
        image.writeRandom(3L * MiB, 3 * MiB);
        image.writeRandom(11L * MiB + 65536, 131072);
        image.writeRandom(24L * MiB, MiB);
    }

    private void awaitApplied(long records, String what) {
        Await.until(() -> target.writer().recordsApplied(), n -> n >= records, Duration.ofSeconds(60), what);
    }

    private RecoveryPoint latestPoint() {
        return target.writer().catalog().latest(image.volumeId()).orElseThrow();
    }

    private void assertTargetMatches(GenerationReport report) throws Exception {
        assertEquals(report.generation(), latestPoint().generation());
        assertEquals(LocalCeph.exportSha256("volumes", "it-writer", report.snapshot()),
                Checksums.sha256(target.writer().repository().replica(image.volumeId())));
    }
}
