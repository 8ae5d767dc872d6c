package io.blockferry.source;

import static io.blockferry.testing.InMemoryPipeline.id;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.testing.Await;
import io.blockferry.testing.InMemoryPipeline;
import io.blockferry.transport.ChunkRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The record stream of one generation, over the in-memory backend (which passes SourceVolumeContract). */
class ChunkStreamTest {

    private static final int MiB = 1 << 20;

    @TempDir
    Path dir;
    private final Random random = new Random(5);

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 5})
    void should_read_at_most_read_ahead_pieces_at_once_however_many_readers_are_free(int readAhead) {
        try (InMemoryPipeline p = new InMemoryPipeline(dir, readAhead, 16, 60_000)) {
            p.backend.create("pool", "a", 32L * MiB);
            p.backend.write("pool", "a", 0, randomBytes(32 * MiB));
            p.backend.holdReads();
            ChunkStream stream = p.planner.open(SyncRequest.full(id("a"), "test"));
            CompletableFuture<InMemoryPipeline.Received> draining = CompletableFuture.supplyAsync(() -> p.drain(stream));
            Await.until(p.backend::readsInFlight, n -> n == readAhead, Duration.ofSeconds(10),
                    readAhead + " reads started at once (eight reader threads are free)");
            assertFalse(draining.isDone(), "the stream waits for its reads");
            assertEquals(readAhead, p.backend.readsInFlight(), "no read beyond the read-ahead starts");
            p.backend.openReads();
            InMemoryPipeline.Received received = draining.join();
            assertNotNull(received.end());
            assertEquals(readAhead, p.backend.mostReadsAtOnce(), "the read-ahead is the bound on reads at once");
            p.planner.published(stream);
            assertEquals(0, p.buffers.inUse(), "every pooled buffer is back once the records are released");
            assertArrayEquals(p.backend.snapshotBytes("pool", "a", received.begin().snapshot()),
                    received.applyTo(new byte[0]));
        }
    }

    @Test
    void should_end_without_END_when_a_read_fails_and_say_where() {
        try (InMemoryPipeline p = new InMemoryPipeline(dir, 3, 16, 60_000)) {
            p.backend.create("pool", "b", 16L * MiB);
            p.backend.write("pool", "b", 0, randomBytes(16 * MiB));
            p.backend.failReadsAt(offset -> offset == 9L * MiB);
            ChunkStream stream = p.planner.open(SyncRequest.full(id("b"), "test"));
            InMemoryPipeline.Received received = p.drain(stream);
            assertNotNull(received.begin());
            assertNull(received.end(), "a generation the source could not read whole has no END");
            assertTrue(received.records().stream().noneMatch(r -> r instanceof ChunkRecord.Data d
                    && d.offset() >= 9L * MiB), "nothing at or after the failed piece is sent");
            assertFalse(stream.complete());
            assertTrue(stream.failure().getMessage().contains(String.valueOf(9L * MiB)),
                    "the failure names the offset: " + stream.failure().getMessage());
            assertThrows(RuntimeException.class, () -> p.planner.published(stream));
            assertEquals(0, p.buffers.inUse(), "the failed stream's buffers are all back");
        }
    }

    @Test
    void should_send_zeros_as_zero_records_and_only_data_as_bytes() {
        try (InMemoryPipeline p = new InMemoryPipeline(dir, 3, 16, 60_000)) {
            p.backend.create("pool", "c", 16L * MiB);
            p.backend.write("pool", "c", 0, randomBytes(3 * MiB));
            p.backend.write("pool", "c", 3L * MiB, new byte[2 * MiB]);           // written zeros: allocated
            byte[] tail = randomBytes(MiB);
            tail[4096] = 0;                                                     // too short to be a zero run
            p.backend.write("pool", "c", 5L * MiB, tail);
            InMemoryPipeline.Received full = p.syncCommitted(SyncRequest.full(id("c"), "test"));
            assertEquals(4L * MiB, full.dataBytes(), "the written zeros are not sent as bytes");
            assertEquals(2L * MiB, full.records().stream().filter(r -> r instanceof ChunkRecord.Zero)
                    .mapToLong(r -> ((ChunkRecord.Zero) r).length()).sum(), "they are sent as zero records");
            assertEquals(full.end().dataBytes(), full.dataBytes(), "END counts what was sent");
            byte[] first = full.applyTo(new byte[0]);
            assertArrayEquals(p.backend.snapshotBytes("pool", "c", full.begin().snapshot()), first);

            p.backend.discard("pool", "c", 0, 2L * MiB);
            InMemoryPipeline.Received trim = p.syncCommitted(SyncRequest.incremental(id("c"), "test"));
            assertEquals(0, trim.dataBytes(), "a trim sends no bytes");
            assertArrayEquals(p.backend.snapshotBytes("pool", "c", trim.begin().snapshot()), trim.applyTo(first));
        }
    }
}
