package io.blockferry.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.blockferry.buffer.BufferPool;
import io.blockferry.ceph.CephException;
import io.blockferry.changedblock.Extent;
import io.blockferry.changedblock.ExtentLog;
import io.blockferry.testing.Await;
import io.blockferry.transport.ChunkRecord;
import io.blockferry.transport.SyncMode;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 9: the snapshot reader (librbd's image) is closed only once no read runs, and no read
 * starts after it: a stream whose first read fails while others are inside the reader waits for
 * them before it closes the image.
 */
class ChunkStreamCloseTest {

    private static final int MiB = 1 << 20;
    private final ExecutorService readers = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        readers.shutdownNow();
    }

    /** Chunk 0 fails once chunk 1 is inside the reader; chunk 1 stays there until released. */
    private static final class GatedReader implements BlockReader {
        final CountDownLatch secondInside = new CountDownLatch(1);
        final CountDownLatch releaseSecond = new CountDownLatch(1);
        final AtomicInteger active = new AtomicInteger();
        final AtomicInteger readsAfterClose = new AtomicInteger();
        final AtomicBoolean closed = new AtomicBoolean();
        volatile int activeAtClose = -1;

        @Override
        public long size() {
            return 3L * MiB;
        }

        @Override
        public void read(long offset, ByteBuffer into) {
            if (closed.get()) {
                readsAfterClose.incrementAndGet();
            }
            active.incrementAndGet();
            try {
                if (offset == 0) {
                    await(secondInside);
                    throw new CephException("reading chunk 0 failed: Connection timed out", 110);
                }
                if (offset == MiB) {
                    secondInside.countDown();
                    await(releaseSecond);
                }
                while (into.hasRemaining()) {
                    into.put((byte) 1);
                }
            } finally {
                active.decrementAndGet();
            }
        }

        private static void await(CountDownLatch latch) {
            try {
                if (!latch.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test's latch was never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            activeAtClose = active.get();
            closed.set(true);
        }
    }

    @Test
    void should_close_the_image_only_after_the_reads_in_flight_have_left_it(@TempDir Path dir) throws Exception {
        GatedReader reader = new GatedReader();
        List<Extent> extents = List.of(new Extent(0, MiB, true), new Extent(MiB, MiB, true), new Extent(2L * MiB, MiB, true));
        ChunkRecord.Begin begin = new ChunkRecord.Begin("volumes/it-harden-close", 1, SyncMode.FULL, "test", 3L * MiB,
                MiB, "blockferry-g000001-20261201T100000Z", null, "id", 0, 0);
        FileChannel manifest = FileChannel.open(dir.resolve("manifest"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        ChunkStream stream = new ChunkStream(begin, ExtentLog.collect(extents.iterator(), dir),
                reader, new ChunkStream.Reading(new BufferPool(MiB, 8L * MiB), readers, 3, MiB, 4096, 65536), manifest,
                () -> { }, Throttle.unlimited(), new SyncProgress().start(begin.volumeId(), 1, "full", 3L * MiB),
                new CompletableFuture<>());

        AtomicBoolean more = new AtomicBoolean(true);
        Thread publisher = new Thread(() -> {
            stream.next(); // BEGIN
            more.set(stream.hasNext()); // the first read fails: the stream ends
            stream.close(); // as GenerationPlanner.published does
        }, "publisher");
        publisher.start();
        reader.secondInside.await(60, TimeUnit.SECONDS);
        // the publisher either waits for the read still inside the reader, or (the bug) has already closed it
        Await.until(publisher::getState, s -> s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING
                || s == Thread.State.TERMINATED, Duration.ofSeconds(30), "the publisher to wait or finish");
        reader.releaseSecond.countDown();
        publisher.join(TimeUnit.SECONDS.toMillis(60));

        assertFalse(more.get(), "the stream ended on the failed read");
        assertNotNull(stream.failure());
        assertEquals(0, reader.activeAtClose, "no read was inside librbd when the image was closed");
        assertEquals(0, reader.readsAfterClose.get(), "no read started after the close");
        assertEquals(0, reader.active.get());
    }
}
