package io.blockferry.source;

import io.blockferry.buffer.BufferPool;
import io.blockferry.buffer.PooledBuffer;
import io.blockferry.changedblock.ChunkGrid;
import io.blockferry.changedblock.DataRuns;
import io.blockferry.changedblock.Extent;
import io.blockferry.changedblock.ExtentLog;
import io.blockferry.transport.ChunkCodec;
import io.blockferry.transport.ChunkRecord;
import io.blockferry.transport.GenerationAck;
import io.blockferry.transport.ManifestDigest;
import io.blockferry.transport.ManifestEntry;
import io.blockferry.transport.ManifestFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One generation as a lazy sequence of records: BEGIN, then DATA and ZERO records for the changed
 * pieces, then END. Pieces are read ahead on the reader pool into buffers of the shared
 * {@link BufferPool}, at most {@code readAhead} at a time, so memory is bounded by the pool however
 * many volumes are in flight. Each piece's bytes are split into data runs and zero runs, so zeros
 * never cross the wire, and a data run longer than {@code recordBytes} becomes several records.
 *
 * <p>A DATA record's payload is a view of a pooled buffer: whoever takes a record from
 * {@link #next()} must {@link ChunkRecord#release() release} it once it is sent. A read failure
 * ends the stream early, without END and without throwing, so the writer never commits a
 * generation the source could not read completely; {@link #failure()} says why.
 */
public final class ChunkStream implements Iterator<ChunkRecord>, AutoCloseable {

    /** How one stream reads: the shared pool and reader threads, and how pieces become records. */
    public record Reading(BufferPool pool, Executor readers, int readAhead, int recordBytes, int zeroGranularity,
                          int minZeroRun) {
    }

    /**
     * Decides, on a reader thread, that a piece just read need not be sent (a checksum resync: the
     * target already holds exactly these bytes). Closed with the stream.
     */
    public interface ChunkFilter extends AutoCloseable {
        /** @param bytes the piece at {@code offset}, between position and limit (consumed) */
        boolean unchanged(long offset, ByteBuffer bytes);

        @Override
        void close();
    }

    /** A run of one piece, before it has a sequence number. */
    private record Run(long offset, ByteBuffer payload, int crc32c, long zeroLength, PooledBuffer owner) {
        boolean zero() {
            return payload == null;
        }
    }

    private final ChunkRecord.Begin begin;
    private final ExtentLog changes;
    private final Iterator<Extent> pieces;
    private final CompletableFuture<GenerationAck> ack;
    private final BlockReader reader;
    private final Reading reading;
    private final ArrayDeque<CompletableFuture<List<Run>>> inFlight = new ArrayDeque<>();
    private final ArrayDeque<Run> ready = new ArrayDeque<>();
    private final ManifestDigest digest = new ManifestDigest();
    private final ThreadLocal<DataRuns> splitters;
    private long nextSeq = 1;
    private boolean begun;
    private boolean ended;
    private RuntimeException failure;
    private ChunkRecord prepared;
    private boolean closed;
    private final GenerationStats stats = new GenerationStats();
    private final FileChannel manifest;
    private final Runnable beforeEnd;
    private final Throttle throttle;
    private final SyncProgress.Tracker progress;
    private final ChunkFilter filter;
    /** Bytes read and left out by the filter, not yet counted in the progress. */
    private final java.util.concurrent.atomic.AtomicLong unsentSinceProgress = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param changes   the generation's changed extents, cut here at the chunk grid of {@code begin};
     *                  closed with the stream
     * @param manifest  receives each DATA and ZERO record's manifest entry
     * @param beforeEnd runs after the last chunk and before END; an exception it throws ends the
     *                  stream without END
     * @param ack       completed with the target's answer to this generation
     */
    public ChunkStream(ChunkRecord.Begin begin, ExtentLog changes, BlockReader reader, Reading reading,
                       FileChannel manifest, Runnable beforeEnd, Throttle throttle, SyncProgress.Tracker progress,
                       CompletableFuture<GenerationAck> ack) {
        this(begin, changes, reader, reading, manifest, beforeEnd, throttle, progress, ack, null);
    }

    /** @param filter leaves out pieces the target already holds (null: every piece is sent) */
    public ChunkStream(ChunkRecord.Begin begin, ExtentLog changes, BlockReader reader, Reading reading,
                       FileChannel manifest, Runnable beforeEnd, Throttle throttle, SyncProgress.Tracker progress,
                       CompletableFuture<GenerationAck> ack, ChunkFilter filter) {
        this.filter = filter;
        this.begin = begin;
        this.changes = changes;
        this.pieces = new ChunkGrid(changes.iterator(), begin.chunkSize());
        this.ack = ack;
        this.reader = reader;
        this.reading = reading;
        this.manifest = manifest;
        this.beforeEnd = beforeEnd;
        this.throttle = throttle;
        this.progress = progress;
        this.splitters = ThreadLocal.withInitial(() -> new DataRuns(reading.zeroGranularity(), reading.minZeroRun()));
        if (begin.chunkSize() > reading.pool().bufferSize()) {
            throw new IllegalArgumentException("chunk size " + begin.chunkSize() + " is larger than the read buffers ("
                    + reading.pool().bufferSize() + ")");
        }
    }

    public ChunkRecord.Begin begin() {
        return begin;
    }

    public String volumeId() {
        return begin.volumeId();
    }

    public GenerationStats stats() {
        return stats;
    }

    /** The target's answer to this generation, when it comes. */
    public CompletableFuture<GenerationAck> ack() {
        return ack;
    }

    /** Why the stream stopped before END, or null. */
    public RuntimeException failure() {
        return failure;
    }

    public boolean complete() {
        return ended && failure == null;
    }

    @Override
    public boolean hasNext() {
        if (ended || failure != null || closed) {
            return false;
        }
        if (!begun || prepared != null) {
            return true;
        }
        try {
            prepared = prepare();
            return true;
        } catch (ExecutionException e) {
            fail(e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(new IllegalStateException("interrupted while reading " + begin.volumeId(), e));
        } catch (RuntimeException e) {
            fail(e);
        }
        return false;
    }

    @Override
    public ChunkRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        if (!begun) {
            begun = true;
            stats.start();
            return begin;
        }
        ChunkRecord record = prepared;
        prepared = null;
        ended = record instanceof ChunkRecord.End;
        return record;
    }

    private ChunkRecord prepare() throws ExecutionException, InterruptedException {
        while (ready.isEmpty()) {
            long unsent = unsentSinceProgress.getAndSet(0);
            if (unsent > 0) {
                progress.add(unsent);
            }
            fill();
            if (inFlight.isEmpty()) {
                beforeEnd.run();
                stats.finish();
                return new ChunkRecord.End(begin.volumeId(), begin.generation(), nextSeq, stats.dataChunks(),
                        stats.zeroChunks(), stats.dataBytes(), stats.zeroBytes(), digest.finish());
            }
            ready.addAll(inFlight.poll().get());
        }
        Run run = ready.poll();
        long seq = nextSeq++;
        ChunkRecord record = run.zero()
                ? new ChunkRecord.Zero(begin.volumeId(), begin.generation(), seq, run.offset(), run.zeroLength())
                : new ChunkRecord.Data(begin.volumeId(), begin.generation(), seq, run.offset(), run.crc32c(),
                        run.payload(), run.owner());
        ManifestEntry entry = ManifestEntry.of(record);
        digest.add(entry);
        ManifestFile.append(manifest, entry);
        progress.add(entry.length());
        stats.count(record);
        return record;
    }

    private void fail(RuntimeException cause) {
        failure = cause;
        drain();
    }

    /**
     * Starts reads up to the read-ahead. A stream with nothing in flight waits for a buffer; one with
     * reads in flight only takes a free one, so streams never wait on each other holding buffers.
     */
    private void fill() throws InterruptedException {
        while (inFlight.size() < reading.readAhead() && pieces.hasNext()) {
            PooledBuffer buffer = inFlight.isEmpty() ? awaitBuffer() : reading.pool().tryAcquire();
            if (buffer == null) {
                return;
            }
            Extent piece = pieces.next();
            if (!piece.exists()) {
                buffer.release();
                inFlight.add(CompletableFuture.completedFuture(
                        List.of(new Run(piece.offset(), null, 0, piece.length(), null))));
                continue;
            }
            inFlight.add(CompletableFuture.supplyAsync(() -> read(piece, buffer), reading.readers()));
        }
    }

    private PooledBuffer awaitBuffer() throws InterruptedException {
        while (true) {
            PooledBuffer buffer = reading.pool().acquire(1, TimeUnit.SECONDS);
            if (buffer != null) {
                return buffer;
            }
        }
    }

    /** On a reader thread: reads a piece into its buffer and cuts it into runs. The buffer is released on failure. */
    private List<Run> read(Extent piece, PooledBuffer buffer) {
        List<Run> runs = new ArrayList<>(4);
        try {
            int length = (int) piece.length();
            ByteBuffer bytes = buffer.buffer().duplicate().limit(length).position(0);
            throttle.acquire(length);
            reader.read(piece.offset(), bytes);
            throttle.afterRead(length);
            if (filter != null && filter.unchanged(piece.offset(), buffer.buffer().duplicate().limit(length).position(0))) {
                unsentSinceProgress.addAndGet(length);
                return runs;
            }
            splitters.get().split(bytes, piece.offset(), length, (offset, at, runLength, zero) -> {
                if (zero) {
                    runs.add(new Run(offset, null, 0, runLength, null));
                    return;
                }
                for (int done = 0; done < runLength; done += reading.recordBytes()) {
                    int part = Math.min(reading.recordBytes(), runLength - done);
                    ByteBuffer payload = buffer.slice(at + done, part);
                    runs.add(new Run(offset + done, payload, ChunkCodec.crc32c(payload), 0, buffer.retain()));
                }
            });
            return runs;
        } catch (RuntimeException e) {
            runs.forEach(ChunkStream::release);
            throw e;
        } finally {
            buffer.release();
        }
    }

    /** Waits for the reads in flight and gives their buffers back: nothing may read after the stream ends. */
    private void drain() {
        for (CompletableFuture<List<Run>> read : inFlight) {
            try {
                read.join().forEach(ChunkStream::release);
            } catch (RuntimeException e) {
                // a read that failed released its own buffer
            }
        }
        inFlight.clear();
        ready.forEach(ChunkStream::release);
        ready.clear();
        if (prepared != null) {
            prepared.release();
            prepared = null;
        }
    }

    private static void release(Run run) {
        if (run.owner() != null) {
            run.owner().release();
        }
    }

    /**
     * Waits for reads in flight, releases their buffers and the snapshot reader; the stream cannot be
     * read after this. Closing twice is harmless.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        drain();
        reader.close();
        changes.close();
        if (filter != null) {
            filter.close();
        }
        try {
            manifest.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing the manifest of " + begin.volumeId() + " failed", e);
        }
    }
}
