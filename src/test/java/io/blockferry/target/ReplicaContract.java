package io.blockferry.target;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.source.BlockReader;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link Replica} must do (its Javadoc's contract), run against each implementation by
 * a subclass that says how to make one. Diffs are real {@code rbd export-diff} files.
 */
public abstract class ReplicaContract {

    protected static final int KiB = 1 << 10;

    @TempDir
    protected Path dir;
    private final Random random = new Random(17);

    /** A replica for a volume that has none yet. */
    protected abstract Replica newReplica(String volumeId);

    private byte[] contents(Replica replica) {
        try (BlockReader reader = replica.reader()) {
            byte[] bytes = new byte[(int) reader.size()];
            reader.read(0, ByteBuffer.wrap(bytes));
            return bytes;
        }
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** A full replica of {@code size} bytes holding {@code data} at 0, built and installed as generation 1. */
    protected byte[] installFull(Replica replica, long size, byte[] data) {
        try (Replica.FullBuild build = replica.build(1, size)) {
            build.write(0, ByteBuffer.wrap(data));
            build.force();
        }
        replica.install(1);
        byte[] image = new byte[(int) size];
        System.arraycopy(data, 0, image, 0, data.length);
        return image;
    }

    @Test
    void should_keep_the_old_replica_until_a_full_build_is_installed() {
        Replica replica = newReplica("volumes/c1");
        byte[] first = installFull(replica, 64 * KiB, randomBytes(16 * KiB));
        byte[] second = randomBytes(32 * KiB);
        try (Replica.FullBuild build = replica.build(2, 64 * KiB)) {
            build.write(8 * KiB, ByteBuffer.wrap(second));
            build.force();
            assertArrayEquals(first, contents(replica), "a build in progress is not the replica");
        }
        assertTrue(replica.hasBuild(2));
        replica.install(2);
        assertFalse(replica.hasBuild(2), "an installed build is the replica now");
        byte[] expected = new byte[64 * KiB];
        System.arraycopy(second, 0, expected, 8 * KiB, second.length);
        assertArrayEquals(expected, contents(replica), "unwritten ranges of a full build read as zeros");
    }

    @Test
    void should_apply_an_incremental_the_same_however_often_it_is_repeated() throws Exception {
        Replica replica = newReplica("volumes/c2");
        byte[] image = installFull(replica, 64 * KiB, randomBytes(48 * KiB));
        byte[] patch = randomBytes(4 * KiB);
        Path diff = dir.resolve("g2.rbddiff");
        try (RbdDiffWriter w = RbdDiffWriter.create(diff, "s1", "s2", 80 * KiB)) {
            w.data(4 * KiB, patch);
            w.zero(16 * KiB, 8 * KiB);
            w.data(70 * KiB, patch);
            w.end();
        }
        byte[] expected = java.util.Arrays.copyOf(image, 80 * KiB);
        System.arraycopy(patch, 0, expected, 4 * KiB, patch.length);
        java.util.Arrays.fill(expected, 16 * KiB, 24 * KiB, (byte) 0);
        System.arraycopy(patch, 0, expected, 70 * KiB, patch.length);

        replica.apply(2, diff);
        assertArrayEquals(expected, contents(replica), "data, zeros and the new size");
        replica.apply(2, diff);
        assertArrayEquals(expected, contents(replica), "applying the same point twice gives the same image");
        assertNull(replica.problem(80 * KiB));
        assertNotNull(replica.problem(64 * KiB), "a replica of another size is not that point's");
    }

    @Test
    void should_never_create_a_replica_from_an_incremental() throws Exception {
        Replica replica = newReplica("volumes/c3");
        Path diff = dir.resolve("g2.rbddiff");
        try (RbdDiffWriter w = RbdDiffWriter.create(diff, "s1", "s2", 8 * KiB)) {
            w.data(0, randomBytes(KiB));
            w.end();
        }
        assertThrows(java.io.IOException.class, () -> replica.apply(2, diff));
        assertTrue(replica.problem(8 * KiB).contains("missing"), replica.problem(8 * KiB));
    }

    @Test
    void should_refuse_a_diff_that_ends_early() throws Exception {
        Replica replica = newReplica("volumes/c4");
        installFull(replica, 8 * KiB, randomBytes(KiB));
        Path cut = dir.resolve("cut.rbddiff");
        try (RbdDiffWriter w = RbdDiffWriter.create(cut, "s1", "s2", 8 * KiB)) {
            w.data(0, randomBytes(KiB));
        }
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> replica.apply(2, cut));
        assertTrue(e.getMessage().contains("incomplete"), e.getMessage());
    }

    @Test
    void should_forget_a_build_that_is_discarded() {
        Replica replica = newReplica("volumes/c5");
        byte[] first = installFull(replica, 16 * KiB, randomBytes(4 * KiB));
        try (Replica.FullBuild build = replica.build(2, 16 * KiB)) {
            build.write(0, ByteBuffer.wrap(randomBytes(4 * KiB)));
        }
        replica.discardBuild(2);
        assertFalse(replica.hasBuild(2));
        assertArrayEquals(first, contents(replica));
    }
}
