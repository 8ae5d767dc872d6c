package io.blockferry.source;

import io.blockferry.changedblock.Extent;
import io.blockferry.transport.ChunkCodec;
import io.blockferry.transport.ChunkRecord;
import io.blockferry.transport.ManifestDigest;
import io.blockferry.transport.ManifestEntry;
import io.blockferry.transport.ManifestFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * One generation as a lazy sequence of records: BEGIN, a DATA or ZERO record per changed piece,
 * then END. Pieces are read ahead on the reader pool, at most {@code readAhead} at a time, so
 * memory holds a bounded window of chunks. A read failure ends the stream early, without END and
 * without throwing, so the writer never commits a generation the source could not read completely;
 * {@link #failure()} says why.
 */
public final class ChunkStream implements Iterator<ChunkRecord>, AutoCloseable {

    private final ChunkRecord.Begin begin;
    private final Iterator<Extent> pieces;
    private final BlockReader reader;
    private final Executor readers;
    private final int readAhead;
    private final ArrayDeque<CompletableFuture<ChunkRecord>> inFlight = new ArrayDeque<>();
    private final ManifestDigest digest = new ManifestDigest();
    private final byte[] zeros;
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

    /**
     * @param manifest receives each DATA and ZERO record's manifest entry
     * @param beforeEnd runs after the last chunk and before END; an exception it throws ends the
     *                  stream without END
     */
    public ChunkStream(ChunkRecord.Begin begin, Iterator<Extent> pieces, BlockReader reader, Executor readers,
                       int readAhead, FileChannel manifest, Runnable beforeEnd, Throttle throttle,
                       SyncProgress.Tracker progress) {
        this.begin = begin;
        this.pieces = pieces;
        this.reader = reader;
        this.readers = readers;
        this.readAhead = Math.max(1, readAhead);
        this.zeros = new byte[begin.chunkSize()];
        this.manifest = manifest;
        this.beforeEnd = beforeEnd;
        this.throttle = throttle;
        this.progress = progress;
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

    /** Why the stream stopped before END, or null. */
    public RuntimeException failure() {
        return failure;
    }

    public boolean complete() {
        return ended && failure == null;
    }

    @Override
    public boolean hasNext() {
        if (ended || failure != null) {
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
        fill();
        if (inFlight.isEmpty()) {
            beforeEnd.run();
            stats.finish();
            return new ChunkRecord.End(begin.volumeId(), begin.generation(), nextSeq, stats.dataChunks(),
                    stats.zeroChunks(), stats.dataBytes(), stats.zeroBytes(), digest.finish());
        }
        ChunkRecord record = inFlight.poll().get();
        ManifestEntry entry = ManifestEntry.of(record);
        digest.add(entry);
        ManifestFile.append(manifest, entry);
        progress.add(entry.length());
        stats.count(record);
        return record;
    }

    private void fail(RuntimeException cause) {
        failure = cause;
        inFlight.forEach(f -> f.cancel(false));
        inFlight.clear();
    }

    private void fill() {
        while (inFlight.size() < readAhead && pieces.hasNext()) {
            Extent piece = pieces.next();
            long seq = nextSeq++;
            inFlight.add(CompletableFuture.supplyAsync(() -> read(piece, seq), readers));
        }
    }

    private ChunkRecord read(Extent piece, long seq) {
        if (!piece.exists()) {
            return new ChunkRecord.Zero(begin.volumeId(), begin.generation(), seq, piece.offset(), piece.length());
        }
        byte[] payload = new byte[(int) piece.length()];
        throttle.acquire(payload.length);
        reader.read(piece.offset(), payload);
        throttle.afterRead(payload.length);
        if (Arrays.mismatch(payload, 0, payload.length, zeros, 0, payload.length) == -1) {
            return new ChunkRecord.Zero(begin.volumeId(), begin.generation(), seq, piece.offset(), piece.length());
        }
        return new ChunkRecord.Data(begin.volumeId(), begin.generation(), seq, piece.offset(),
                ChunkCodec.crc32c(payload), payload);
    }

    /** Releases the snapshot reader; the stream cannot be read after this. Closing twice is harmless. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        inFlight.forEach(f -> f.cancel(false));
        inFlight.clear();
        reader.close();
        try {
            manifest.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing the manifest of " + begin.volumeId() + " failed", e);
        }
    }

}
