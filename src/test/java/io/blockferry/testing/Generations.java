package io.blockferry.testing;

import io.blockferry.transport.ChunkCodec;
import io.blockferry.transport.ChunkRecord;
import io.blockferry.transport.ManifestDigest;
import io.blockferry.transport.ManifestEntry;
import io.blockferry.transport.SyncMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Builds a generation's records as a source would send them (sequence numbers, CRC32C, END's counts
 * and manifest digest), and keeps the image those records describe, for writer tests without Ceph.
 */
public final class Generations {

    private final String volumeId;
    private final long size;
    private final Random random;
    private byte[] image;
    private String site = "";

    public Generations(String volumeId, long size, long seed) {
        this.volumeId = volumeId;
        this.size = size;
        this.random = new Random(seed);
        this.image = new byte[(int) size];
    }

    /** Generations of a named source site (their BEGIN's sourceSite). */
    public Generations asSite(String sourceSite) {
        this.site = sourceSite;
        return this;
    }

    /** What the image holds after the generations built so far. */
    public byte[] image() {
        return image.clone();
    }

    /** A generation; {@code changes} are [offset, length, 1 for random data or 0 for zeros] in offset order. */
    public List<byte[]> generation(long generation, SyncMode mode, String snapshot, String base, long[]... changes) {
        return generation(generation, mode, snapshot, base, System.currentTimeMillis(), changes);
    }

    public List<byte[]> generation(long generation, SyncMode mode, String snapshot, String base, long createdAt,
                                   long[]... changes) {
        if (mode == SyncMode.FULL) {
            image = new byte[(int) size];
        }
        List<byte[]> frames = new ArrayList<>();
        frames.add(ChunkCodec.encode(new ChunkRecord.Begin(volumeId, generation, mode, "test", size, 1 << 20, snapshot,
                base, "image-id", createdAt, 0).fromSite(site)));
        ManifestDigest digest = new ManifestDigest();
        long seq = 1;
        long dataChunks = 0;
        long zeroChunks = 0;
        long dataBytes = 0;
        long zeroBytes = 0;
        for (long[] change : changes) {
            ChunkRecord record;
            if (change[2] == 1) {
                byte[] payload = new byte[(int) change[1]];
                random.nextBytes(payload);
                System.arraycopy(payload, 0, image, (int) change[0], payload.length);
                record = new ChunkRecord.Data(volumeId, generation, seq++, change[0], ChunkCodec.crc32c(payload),
                        payload);
                dataChunks++;
                dataBytes += change[1];
            } else {
                java.util.Arrays.fill(image, (int) change[0], (int) (change[0] + change[1]), (byte) 0);
                record = new ChunkRecord.Zero(volumeId, generation, seq++, change[0], change[1]);
                zeroChunks++;
                zeroBytes += change[1];
            }
            digest.add(ManifestEntry.of(record));
            frames.add(ChunkCodec.encode(record));
        }
        frames.add(ChunkCodec.encode(new ChunkRecord.End(volumeId, generation, seq, dataChunks, zeroChunks, dataBytes,
                zeroBytes, digest.finish())));
        return frames;
    }

    public static long[] data(long offset, long length) {
        return new long[] {offset, length, 1};
    }

    public static long[] zeros(long offset, long length) {
        return new long[] {offset, length, 0};
    }
}
