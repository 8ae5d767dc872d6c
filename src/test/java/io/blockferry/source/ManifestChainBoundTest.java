package io.blockferry.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.transport.ChunkCodec;
import io.blockferry.transport.ManifestEntry;
import io.blockferry.transport.ManifestFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 16: a volume synced incrementally 2,000 times keeps a bounded manifest chain (its
 * oldest manifests are compacted at each ack), and verification over it checks exactly what it
 * checked over the whole chain: every range unchanged since it was sent, and nothing else.
 */
class ManifestChainBoundTest {

    private static final int CHUNK = 64 * 1024;
    private static final int CHUNKS = 64;
    private static final String VOLUME = "volumes/it-harden-chain";

    /** The disk: each chunk filled with one byte value. */
    private final byte[] fill = new byte[CHUNKS];

    private static byte[] bytes(byte value) {
        byte[] b = new byte[CHUNK];
        Arrays.fill(b, value);
        return b;
    }

    private void write(SourceManifests manifests, long generation, int... chunks) throws Exception {
        try (FileChannel channel = manifests.create(VOLUME, generation)) {
            for (int chunk : chunks) {
                fill[chunk] = (byte) (generation * 31 + chunk);
                ManifestFile.append(channel, new ManifestEntry(false, (long) chunk * CHUNK, CHUNK,
                        ChunkCodec.crc32c(bytes(fill[chunk]))));
            }
        }
    }

    private BlockReader disk(byte[] state) {
        return new BlockReader() {
            @Override
            public long size() {
                return (long) state.length * CHUNK;
            }

            @Override
            public void read(long offset, ByteBuffer into) {
                byte value = state[(int) (offset / CHUNK)];
                while (into.hasRemaining()) {
                    into.put(value);
                }
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void should_keep_the_chain_bounded_and_verification_exact_over_2000_incrementals(@TempDir Path dir) throws Exception {
        SourceManifests manifests = new SourceManifests(dir);
        write(manifests, 1, java.util.stream.IntStream.range(0, CHUNKS).toArray());
        int most = 1;
        for (long g = 2; g <= 2000; g++) {
            int changed = (int) (g % 60); // chunks 60..63 never change after the full
            write(manifests, g, changed);
            manifests.compact(VOLUME, g, SourceManifests.CHAIN_LIMIT); // as each COMMITTED ack does
            most = Math.max(most, manifests.chain(VOLUME, Long.MAX_VALUE).size());
        }
        assertTrue(most <= SourceManifests.CHAIN_LIMIT, "at most " + SourceManifests.CHAIN_LIMIT + " manifests, had "
                + most);

        DiffVerifier all = new DiffVerifier(1.0, 8, new Random(1));
        long start = System.nanoTime();
        long checked = all.verify(VOLUME, manifests.chain(VOLUME, 2000), disk(fill));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(CHUNKS - 1, checked, "every chunk but the one the newest generation changed");
        assertTrue(millis < 5000, "bounded work: " + millis + " ms");

        byte[] rotted = fill.clone();
        rotted[62] ^= 1; // unchanged since the full generation, 1,999 generations ago
        assertThrows(DiffInvalidException.class, () -> all.verify(VOLUME, manifests.chain(VOLUME, 2000), disk(rotted)),
                "a range unchanged since the full is still checked after compaction");
        byte[] recent = fill.clone();
        recent[(int) (1999 % 60)] ^= 1;
        assertThrows(DiffInvalidException.class, () -> all.verify(VOLUME, manifests.chain(VOLUME, 2000), disk(recent)),
                "and one the previous generation wrote");

        DiffVerifier sampled = new DiffVerifier(0.001, 8, new Random(2));
        assertEquals(8, sampled.verify(VOLUME, manifests.chain(VOLUME, 2000), disk(fill)));
    }
}
