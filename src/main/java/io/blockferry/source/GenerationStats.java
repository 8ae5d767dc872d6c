package io.blockferry.source;

import io.blockferry.transport.ChunkRecord;

/** What a generation sent, and how long reading and publishing took. */
public final class GenerationStats {

    private long dataChunks;
    private long zeroChunks;
    private long dataBytes;
    private long zeroBytes;
    private long startNanos;
    private long endNanos;

    void start() {
        startNanos = System.nanoTime();
    }

    void finish() {
        endNanos = System.nanoTime();
    }

    void count(ChunkRecord record) {
        if (record instanceof ChunkRecord.Data d) {
            dataChunks++;
            dataBytes += d.length();
        } else if (record instanceof ChunkRecord.Zero z) {
            zeroChunks++;
            zeroBytes += z.length();
        }
    }

    public long dataChunks() {
        return dataChunks;
    }

    public long zeroChunks() {
        return zeroChunks;
    }

    public long dataBytes() {
        return dataBytes;
    }

    public long zeroBytes() {
        return zeroBytes;
    }

    public long startNanos() {
        return startNanos;
    }

    public double streamSeconds() {
        return (endNanos - startNanos) / 1e9;
    }
}
