package io.blockferry.source;

import static io.blockferry.testing.InMemoryPipeline.id;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.TransientFailure;
import io.blockferry.testing.InMemoryPipeline;
import io.blockferry.transport.GenerationAck;
import io.blockferry.transport.SyncMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Planning, settling and abandoning generations, over the in-memory backend. */
class GenerationPlannerTest {

    private static final int MiB = 1 << 20;

    @TempDir
    Path dir;
    private final Random random = new Random(9);

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static List<String> ownSnapshots(InMemoryPipeline p, String volume) {
        try (SourceVolume v = p.backend.open(VolumeId.parse(id(volume)))) {
            return v.snapshots().stream().filter(s -> s.startsWith(InMemoryPipeline.PREFIX)).toList();
        }
    }

    private InMemoryPipeline withCommittedBase(String volume, long ackTimeoutMillis) {
        InMemoryPipeline p = new InMemoryPipeline(dir, 3, 16, ackTimeoutMillis);
        p.backend.create("pool", volume, 16L * MiB);
        p.backend.write("pool", volume, 0, randomBytes(4 * MiB));
        p.syncCommitted(SyncRequest.incremental(id(volume), "test"));
        return p;
    }

    @Test
    void should_send_a_full_first_and_then_only_what_changed() {
        try (InMemoryPipeline p = new InMemoryPipeline(dir, 3, 16, 60_000)) {
            p.backend.create("pool", "a", 16L * MiB);
            p.backend.write("pool", "a", 0, randomBytes(6 * MiB));
            InMemoryPipeline.Received full = p.syncCommitted(SyncRequest.incremental(id("a"), "test"));
            assertEquals(SyncMode.FULL, full.begin().mode());
            assertEquals("first-sync", full.begin().cause());
            byte[] image = full.applyTo(new byte[0]);

            p.backend.write("pool", "a", 10L * MiB + 4096, randomBytes(100_000));
            InMemoryPipeline.Received incremental = p.syncCommitted(SyncRequest.incremental(id("a"), "test"));
            assertEquals(SyncMode.INCREMENTAL, incremental.begin().mode());
            assertEquals(full.begin().snapshot(), incremental.begin().baseSnapshot());
            assertTrue(incremental.dataBytes() <= InMemoryPipeline.CHUNK, "only the changed grains are sent: "
                    + incremental.dataBytes());
            assertArrayEquals(p.backend.snapshotBytes("pool", "a", incremental.begin().snapshot()),
                    incremental.applyTo(image), "the base with the incremental applied is the new snapshot");
            assertEquals(List.of(incremental.begin().snapshot()), ownSnapshots(p, "a"),
                    "the old base is removed once the new one is acked (keep 1)");
        }
    }

    @Test
    void should_abandon_a_generation_a_dead_process_never_published_and_sync_from_the_acked_base() {
        try (InMemoryPipeline p = withCommittedBase("b", 60_000)) {
            String base = p.states.find(id("b")).orElseThrow().baseSnapshot();
            PlannedGeneration interrupted = p.planner.snapshot(SyncRequest.incremental(id("b"), "test"));
            assertEquals(List.of(base, interrupted.snapshot()), ownSnapshots(p, "b"));
            p.reopen();                                                 // kill -9 before it was published

            ChunkStreamAndPlan next = plan(p, "b");
            assertFalse(ownSnapshots(p, "b").contains(interrupted.snapshot()), "the dead generation's snapshot is gone");
            assertEquals(SyncMode.INCREMENTAL, next.planned.plan().mode(), "no full resync for an interrupted sync");
            assertEquals(base, next.planned.plan().baseSnapshot());
            assertTrue(next.planned.generation() > interrupted.generation(), "generation numbers are never reused");
            p.planner.abandon(next.planned, null, "test over", null);
        }
    }

    @Test
    void should_wait_for_the_ack_of_a_published_generation_and_give_up_after_the_ack_timeout() {
        try (InMemoryPipeline p = withCommittedBase("c", 60_000)) {
            InMemoryPipeline.Received published = publish(p, "c");
            p.reopen();
            RuntimeException waiting = assertThrows(RuntimeException.class,
                    () -> p.planner.snapshot(SyncRequest.incremental(id("c"), "test")));
            assertInstanceOf(TransientFailure.class, waiting, "retried, not failed: " + waiting);
            assertTrue(waiting.getMessage().contains("generation " + published.begin().generation()), waiting.getMessage());
            assertTrue(ownSnapshots(p, "c").contains(published.begin().snapshot()), "its snapshot is kept while it may be acked");
        }
        try (InMemoryPipeline p = withCommittedBase("d", 0)) {
            InMemoryPipeline.Received published = publish(p, "d");
            String base = p.states.find(id("d")).orElseThrow().baseSnapshot();
            ChunkStreamAndPlan next = plan(p, "d");
            assertFalse(ownSnapshots(p, "d").contains(published.begin().snapshot()),
                    "a generation never acked within the timeout is abandoned");
            assertEquals(base, next.planned.plan().baseSnapshot(), "and the next one starts from the acked base");
            p.planner.abandon(next.planned, null, "test over", null);
        }
    }

    @Test
    void should_keep_the_base_when_a_generation_is_abandoned_or_rejected() {
        try (InMemoryPipeline p = withCommittedBase("e", 60_000)) {
            VolumeState before = p.states.find(id("e")).orElseThrow();
            ChunkStreamAndPlan abandoned = plan(p, "e");
            p.planner.abandon(abandoned.planned, abandoned.stream, "the test gave up", null);
            VolumeState after = p.states.find(id("e")).orElseThrow();
            assertFalse(after.hasPending());
            assertEquals(before.baseSnapshot(), after.baseSnapshot());
            assertEquals(List.of(before.baseSnapshot()), ownSnapshots(p, "e"), "the abandoned snapshot is removed");
            assertTrue(abandoned.planned.ack().isCompletedExceptionally(), "whoever waited on it is told");

            InMemoryPipeline.Received rejected = publish(p, "e");
            p.acks.onAck(GenerationAck.rejected(id("e"), rejected.begin().generation(), rejected.begin().snapshot(),
                    "INCREMENTAL", "chunk-corrupt", "a test rejected it"));
            assertEquals(before.baseSnapshot(), p.states.find(id("e")).orElseThrow().baseSnapshot());
            assertEquals(List.of(before.baseSnapshot()), ownSnapshots(p, "e"));
            assertEquals(SyncMode.INCREMENTAL, plan(p, "e").planned.plan().mode(),
                    "a rejected generation is sent again from the same base");
        }
    }

    @Test
    void should_resync_in_full_a_volume_created_again_under_the_same_name() {
        try (InMemoryPipeline p = withCommittedBase("f", 60_000)) {
            p.backend.recreate("pool", "f");
            p.backend.write("pool", "f", 0, randomBytes(MiB));
            InMemoryPipeline.Received full = p.syncCommitted(SyncRequest.incremental(id("f"), "test"));
            assertEquals(SyncMode.FULL, full.begin().mode());
            assertEquals("image-recreated", full.begin().cause());
            assertTrue(p.events.stream().anyMatch(e -> e.type().equals("chain-break") && e.volumeId().equals(id("f"))),
                    "the chain break is an event: " + p.events);
            assertArrayEquals(p.backend.snapshotBytes("pool", "f", full.begin().snapshot()), full.applyTo(new byte[0]));
        }
    }

    private record ChunkStreamAndPlan(PlannedGeneration planned, ChunkStream stream) {
    }

    private static ChunkStreamAndPlan plan(InMemoryPipeline p, String volume) {
        PlannedGeneration planned = p.planner.snapshot(SyncRequest.incremental(id(volume), "test"));
        return new ChunkStreamAndPlan(planned, p.planner.stream(planned));
    }

    /** A generation sent whole to Kafka, not yet answered. */
    private static InMemoryPipeline.Received publish(InMemoryPipeline p, String volume) {
        p.backend.write("pool", volume, 8L * MiB, new byte[] {1, 2, 3});
        ChunkStream stream = p.planner.open(SyncRequest.incremental(id(volume), "test"));
        InMemoryPipeline.Received received = p.drain(stream);
        p.planner.published(stream);
        return received;
    }
}
