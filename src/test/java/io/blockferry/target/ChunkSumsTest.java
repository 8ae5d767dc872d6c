package io.blockferry.target;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.target.file.FileReplica;
import io.blockferry.transport.ManifestEntry;
import io.blockferry.transport.ManifestFile;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The target's chunk sums equal the SHA-256 of each chunk of the replica, however they were updated. */
class ChunkSumsTest {

    private static final int MiB = ChunkSums.CHUNK;
    private static final String VOLUME = "volumes/sums";
    /** Not a whole number of chunks: the last one is shorter. */
    private static final long SIZE = 5L * MiB + 12345;

    @TempDir
    Path root;

    @Test
    void should_hold_the_sha256_of_every_chunk_after_a_full_and_after_incrementals() throws Exception {
        Repository repo = new Repository(root);
        repo.ensureDirectories(VOLUME);
        Path replica = repo.replica(VOLUME);
        Random random = new Random(3);
        try (RandomAccessFile f = new RandomAccessFile(replica.toFile(), "rw")) {
            f.setLength(SIZE);
        }
        // a full that wrote chunk 1 and the tail of the volume; the rest are holes (zeros)
        write(replica, random, MiB, MiB);
        write(replica, random, 4L * MiB + 100, (int) (SIZE - 4L * MiB - 100));
        Path full = manifest(repo, 1, new ManifestEntry(false, MiB, MiB, 0),
                new ManifestEntry(false, 4L * MiB + 100, SIZE - 4L * MiB - 100, 0));
        ChunkSums.Update first = ChunkSums.update(repo.chunkSums(VOLUME), 1, SIZE, true, -1, full, reader(repo));
        assertSumsOf(repo, replica, 1);
        assertEquals(1, first.changedSegments().cardinality());

        // an incremental that changed 4 KiB of chunk 2: only that chunk is read back
        write(replica, random, 2L * MiB + 4096, 4096);
        Path inc = manifest(repo, 2, new ManifestEntry(false, 2L * MiB + 4096, 4096, 0));
        ChunkSums.Update second = ChunkSums.update(repo.chunkSums(VOLUME), 2, SIZE, false, 1, inc, reader(repo));
        assertSumsOf(repo, replica, 2);
        assertEquals(1, second.changedSegments().cardinality());
        assertEquals(ChunkSums.digest(repo.chunkSums(VOLUME), second.header()), HexFormat.of().formatHex(second.digest()));

        // an incremental whose base is not what the file holds (a commit killed before its update):
        // every chunk is read back, so changes the file never saw are in the sums too
        write(replica, random, 3L * MiB, 8192);
        write(replica, random, 0, 512);
        Path late = manifest(repo, 4, new ManifestEntry(false, 0, 512, 0));
        ChunkSums.update(repo.chunkSums(VOLUME), 4, SIZE, false, 3, late, reader(repo));
        assertSumsOf(repo, replica, 4);
    }

    private static io.blockferry.source.BlockReader reader(Repository repo) {
        return new FileReplica(repo, VOLUME).reader();
    }

    private static void assertSumsOf(Repository repo, Path replica, long generation) throws Exception {
        Path file = repo.chunkSums(VOLUME);
        ChunkSums.Header header = ChunkSums.header(file).orElseThrow();
        assertEquals(generation, header.generation());
        assertEquals(6, header.chunks());
        byte[] bytes = Files.readAllBytes(replica);
        byte[] sums = ChunkSums.segment(file, header, 0);
        for (int i = 0; i < header.chunks(); i++) {
            int from = i * MiB;
            int to = (int) Math.min(bytes.length, (long) from + MiB);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(bytes, from, to - from);
            byte[] expected = sha.digest();
            byte[] actual = java.util.Arrays.copyOfRange(sums, i * 32, i * 32 + 32);
            assertArrayEquals(expected, actual, "sum of chunk " + i + " at generation " + generation);
        }
        assertTrue(Files.notExists(file.resolveSibling("chunk-sums.new")));
    }

    private static void write(Path replica, Random random, long offset, int length) throws Exception {
        byte[] data = new byte[length];
        random.nextBytes(data);
        try (RandomAccessFile f = new RandomAccessFile(replica.toFile(), "rw")) {
            f.seek(offset);
            f.write(data);
        }
    }

    private static Path manifest(Repository repo, long generation, ManifestEntry... entries) throws Exception {
        Path file = repo.pointManifest(VOLUME, generation);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (ManifestEntry e : entries) {
                ManifestFile.append(out, e);
            }
        }
        return file;
    }
}
