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
        Path replica = dir.resolve("replica.img");
        ReplicaApplier applier = new ReplicaApplier();
        applier.apply(full, replica, true);
        applier.apply(incremental, replica, false);

        byte[] image = Files.readAllBytes(replica);
        assertEquals(12_000, image.length);
        assertArrayEquals(new byte[] {1, 7, 3}, java.util.Arrays.copyOf(image, 3));
        assertEquals(0, image[9_998]);
        assertEquals(9, image[9_999]);
        assertEquals("s2", RbdDiffReader.toSnapshot(incremental));
    }

    @Test
    void should_refuse_a_diff_without_its_end_record(@TempDir Path dir) {
        Path cut = dir.resolve("cut.rbddiff");
        try (RbdDiffWriter w = RbdDiffWriter.create(cut, null, "s1", 100)) {
            w.data(0, new byte[] {1});
        }
        assertThrows(java.io.UncheckedIOException.class, () -> new ReplicaApplier().apply(cut, dir.resolve("r"), true));
        assertEquals(false, Files.exists(dir.resolve("r")), "a broken full diff never replaces the replica");
    }
}
