package io.blockferry.target;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.EOFException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RbdDiffFileTest {

    @Test
    void should_apply_a_full_then_an_incremental_diff_to_a_sparse_replica(@TempDir Path dir) throws Exception {
        Path full = dir.resolve("g1.rbddiff");
        try (RbdDiffWriter w = RbdDiffWriter.create(full, null, "s1", 10_000)) {
            w.data(0, new byte[] {1, 2, 3});
            w.zero(4096, 4096);
            w.data(9_998, new byte[] {9, 9});
            w.end();
        }
        Path incremental = dir.resolve("g2.rbddiff");
        try (RbdDiffWriter w = RbdDiffWriter.create(incremental, "s1", "s2", 12_000)) {
            w.data(1, new byte[] {7});
            w.zero(9_998, 1);
            w.end();
        }
        Path replica = Files.createFile(dir.resolve("replica.img"));
        ReplicaFiles.applyIncremental(full, replica);
        ReplicaFiles.applyIncremental(incremental, replica);

        byte[] image = Files.readAllBytes(replica);
        assertEquals(12_000, image.length);
        assertArrayEquals(new byte[] {1, 7, 3}, java.util.Arrays.copyOf(image, 3));
        assertEquals(0, image[9_998]);
        assertEquals(9, image[9_999]);
        assertEquals("s2", RbdDiffReader.toSnapshot(incremental));
    }

    @Test
    void should_refuse_a_diff_without_its_end_record(@TempDir Path dir) throws Exception {
        Path cut = dir.resolve("cut.rbddiff");
        try (RbdDiffWriter w = RbdDiffWriter.create(cut, null, "s1", 100)) {
            w.data(0, new byte[] {1});
        }
        Path replica = Files.createFile(dir.resolve("r"));
        EOFException e = assertThrows(EOFException.class, () -> ReplicaFiles.applyIncremental(cut, replica));
        assertEquals(cut + " ends without its end record: the diff is incomplete", e.getMessage());
    }

    @Test
    void should_never_create_a_missing_replica_from_an_incremental(@TempDir Path dir) throws Exception {
        Path incremental = dir.resolve("g2.rbddiff");
        try (RbdDiffWriter w = RbdDiffWriter.create(incremental, "s1", "s2", 4096)) {
            w.data(0, new byte[] {7});
            w.end();
        }
        java.nio.file.NoSuchFileException e = assertThrows(java.nio.file.NoSuchFileException.class,
                () -> ReplicaFiles.applyIncremental(incremental, dir.resolve("replica.img")));
        assertEquals(false, Files.exists(dir.resolve("replica.img")));
        assertEquals(true, e.getMessage().contains("the replica is missing"), e.getMessage());
    }

    @Test
    void should_free_the_space_of_a_trim_instead_of_writing_zeros(@TempDir Path dir) throws Exception {
        int mib = 1 << 20;
        Path full = dir.resolve("g1.rbddiff");
        byte[] data = new byte[mib];
        new java.util.Random(3).nextBytes(data);
        try (RbdDiffWriter w = RbdDiffWriter.create(full, null, "s1", 64L * mib)) {
            for (int i = 0; i < 32; i++) {
                w.data((long) i * mib, data);
            }
            w.end();
        }
        Path trim = dir.resolve("g2.rbddiff");
        try (RbdDiffWriter w = RbdDiffWriter.create(trim, "s1", "s2", 64L * mib)) {
            w.zero(0, 32L * mib);
            w.end();
        }
        Path replica = Files.createFile(dir.resolve("replica.img"));
        ReplicaFiles.applyIncremental(full, replica);
        long written = io.blockferry.testing.DiskUsage.allocatedBytes(replica);
        ReplicaFiles.applyIncremental(trim, replica);
        long trimmed = io.blockferry.testing.DiskUsage.allocatedBytes(replica);

        assertEquals(true, written >= 32L * mib, "the data is allocated: " + written);
        assertEquals(true, trimmed < mib, "the trimmed 32 MiB are holes, not zeros: " + trimmed + " bytes allocated");
        assertEquals(64L * mib, Files.size(replica));
        byte[] head = new byte[4096];
        try (var in = Files.newInputStream(replica)) {
            assertEquals(4096, in.readNBytes(head, 0, head.length));
        }
        assertArrayEquals(new byte[4096], head, "a trimmed range reads as zeros");
    }
}
