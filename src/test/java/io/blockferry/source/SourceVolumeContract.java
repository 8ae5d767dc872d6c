package io.blockferry.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.changedblock.Extent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link BlockSource} and its {@link SourceVolume}s must do for the planner and the
 * chunk stream, run against each backend by a subclass that says how a guest writes to a volume.
 * The central property: the changes from one snapshot to the next, applied to the first
 * snapshot's bytes, give the second's, bit for bit.
 */
public abstract class SourceVolumeContract {

    protected static final int MiB = 1 << 20;
    /** Big enough that a far-away untouched range lies in other objects of any backend's layout. */
    protected static final long SIZE = 64L * MiB;

    /** What a guest (or an operator) does to a volume, which the backend itself never does. */
    protected interface Guest extends AutoCloseable {
        VolumeId id();

        void write(long offset, byte[] data);

        /** A trim of a range: it reads as zeros afterwards. */
        void discard(long offset, long length);

        /** Deletes the volume and creates it again, empty, under the same name. */
        void recreate();

        /** Makes the platform refuse more than {@code snapshots} snapshots of this volume. */
        void limitSnapshots(int snapshots);

        @Override
        void close();
    }

    /** The backend under test, made once per test. */
    protected abstract BlockSource source();

    /** A new empty volume of {@link #SIZE} bytes named {@code name} in the backend's test pool. */
    protected abstract Guest newVolume(String name);

    private final Random random = new Random(23);
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        opened.clear();
        closeBackend();
    }

    /** Closes what {@link #source()} holds, after every volume and reader of the test is closed. */
    protected void closeBackend() {
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        opened.add(resource);
        return resource;
    }

    private Guest volume(String name) {
        return closeLater(newVolume(name));
    }

    private SourceVolume open(Guest guest) {
        return closeLater(source().open(guest.id()));
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] read(SourceVolume volume, String snapshot) {
        try (BlockReader reader = volume.readerAt(snapshot)) {
            byte[] bytes = new byte[Math.toIntExact(reader.size())];
            ByteBuffer into = ByteBuffer.allocateDirect(4 * MiB);
            for (int at = 0; at < bytes.length; at += into.capacity()) {
                into.clear().limit(Math.min(into.capacity(), bytes.length - at));
                reader.read(at, into);
                into.get(bytes, at, into.limit());
            }
            return bytes;
        }
    }

    private static List<Extent> changes(SourceVolume volume, String from, String to) {
        List<Extent> extents = new ArrayList<>();
        try (ChangedBlocks changed = volume.changes(from, to)) {
            changed.forEachRemaining(extents::add);
        }
        return extents;
    }

    /** {@code base} with the changes applied: changed ranges read from {@code to}, vanished ones zeroed. */
    private static byte[] apply(byte[] base, List<Extent> extents, SourceVolume volume, String to) {
        byte[] result = base.clone();
        try (BlockReader reader = volume.readerAt(to)) {
            for (Extent e : extents) {
                if (e.exists()) {
                    reader.read(e.offset(), ByteBuffer.wrap(result, (int) e.offset(), (int) e.length()).slice());
                } else {
                    java.util.Arrays.fill(result, (int) e.offset(), (int) e.end(), (byte) 0);
                }
            }
        }
        return result;
    }

    private static boolean covered(List<Extent> extents, long offset, long length, boolean exists) {
        for (long at = offset; at < offset + length; ) {
            long position = at;
            Extent hit = extents.stream().filter(e -> e.offset() <= position && position < e.end()
                    && (!exists || e.exists())).findFirst().orElse(null);
            if (hit == null) {
                return false;
            }
            at = hit.end();
        }
        return true;
    }

    private static boolean touches(List<Extent> extents, long offset, long length) {
        return extents.stream().anyMatch(e -> e.offset() < offset + length && offset < e.end());
    }

    @Test
    void should_list_the_volumes_of_a_pool_by_id_with_the_backends_scheme() {
        Guest guest = volume("contract-list");
        List<VolumeId> ids = source().volumes(guest.id().pool());
        assertTrue(ids.contains(guest.id()), ids + " should hold " + guest.id());
        assertTrue(ids.stream().allMatch(id -> id.scheme().equals(source().name())), "ids carry the scheme " + source().name());
    }

    @Test
    void should_report_size_and_a_stable_identity_that_a_recreated_volume_does_not_share() {
        Guest guest = volume("contract-identity");
        String identity;
        try (SourceVolume volume = source().open(guest.id())) {
            assertEquals(SIZE, volume.size());
            identity = volume.identity();
            assertFalse(identity.isBlank());
        }
        try (SourceVolume again = source().open(guest.id())) {
            assertEquals(identity, again.identity(), "the identity survives reopening");
        }
        guest.recreate();
        try (SourceVolume recreated = source().open(guest.id())) {
            assertNotEquals(identity, recreated.identity(), "a volume created again under the same name is another volume");
            assertEquals(List.of(), recreated.snapshots());
        }
    }

    @Test
    void should_keep_snapshots_in_order_and_remove_only_the_one_named() {
        Guest guest = volume("contract-snapshots");
        SourceVolume volume = open(guest);
        volume.createSnapshot("first");
        volume.createSnapshot("second");
        volume.createSnapshot("third");
        assertEquals(List.of("first", "second", "third"), volume.snapshots());
        volume.removeSnapshot("second");
        assertEquals(List.of("first", "third"), volume.snapshots());
        RuntimeException missing = assertThrows(RuntimeException.class, () -> volume.removeSnapshot("second"));
        assertTrue(String.valueOf(missing.getMessage()).contains("second"), "the error names the snapshot: " + missing);
    }

    @Test
    void should_read_a_snapshot_as_it_was_whatever_the_guest_writes_later() {
        Guest guest = volume("contract-frozen");
        byte[] data = randomBytes(3 * MiB);
        guest.write(5 * MiB, data);
        SourceVolume volume = open(guest);
        volume.createSnapshot("s1");
        guest.write(5 * MiB, randomBytes(3 * MiB));
        byte[] image = read(volume, "s1");
        byte[] expected = new byte[(int) SIZE];
        System.arraycopy(data, 0, expected, 5 * MiB, data.length);
        assertArrayEquals(expected, image);
    }

    @Test
    void should_list_from_nothing_every_written_range_and_not_the_untouched_ones() {
        Guest guest = volume("contract-full");
        guest.write(0, randomBytes(64 << 10));
        guest.write(40L * MiB + 12345, randomBytes(200_000));
        SourceVolume volume = open(guest);
        volume.createSnapshot("s1");
        List<Extent> extents = changes(volume, null, "s1");
        assertInOrderWithin(extents);
        assertTrue(covered(extents, 0, 64 << 10, true), "the write at 0 is listed: " + extents);
        assertTrue(covered(extents, 40L * MiB + 12345, 200_000, true), "the write at 40 MiB is listed: " + extents);
        assertFalse(touches(extents, 16L * MiB, 16L * MiB), "a never-written range is not read: " + extents);
        assertArrayEquals(read(volume, "s1"), apply(new byte[(int) SIZE], extents, volume, "s1"),
                "the listed ranges rebuild the snapshot from zeros");
    }

    @Test
    void should_list_the_changes_between_snapshots_that_turn_one_into_the_other() {
        Guest guest = volume("contract-incremental");
        guest.write(0, randomBytes(8 * MiB));
        guest.write(48L * MiB, randomBytes(4 * MiB));
        SourceVolume volume = open(guest);
        volume.createSnapshot("s1");
        guest.write(1L * MiB, randomBytes(100_000));
        guest.discard(48L * MiB, 4L * MiB);
        guest.write(60L * MiB, randomBytes(MiB));
        volume.createSnapshot("s2");

        List<Extent> extents = changes(volume, "s1", "s2");
        assertInOrderWithin(extents);
        assertTrue(covered(extents, 1L * MiB, 100_000, true), "the overwrite is listed: " + extents);
        assertTrue(covered(extents, 60L * MiB, MiB, true), "the new write is listed: " + extents);
        assertTrue(covered(extents, 48L * MiB, 4L * MiB, false), "the trim is listed: " + extents);
        assertFalse(touches(extents, 16L * MiB, 16L * MiB), "an untouched range is not listed: " + extents);
        assertArrayEquals(read(volume, "s2"), apply(read(volume, "s1"), extents, volume, "s2"),
                "s1 with the changes applied is s2");
        assertEquals(List.of(), changes(volume, "s2", "s2"), "nothing changes from a snapshot to itself");
    }

    @Test
    void should_serve_concurrent_reads_of_one_snapshot() throws Exception {
        Guest guest = volume("contract-concurrent");
        byte[] data = randomBytes(16 * MiB);
        guest.write(0, data);
        SourceVolume volume = open(guest);
        volume.createSnapshot("s1");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (BlockReader reader = volume.readerAt("s1")) {
            List<Future<Boolean>> reads = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int at = i * MiB;
                reads.add(pool.submit(() -> {
                    ByteBuffer into = ByteBuffer.allocateDirect(MiB);
                    reader.read(at, into);
                    byte[] got = new byte[MiB];
                    into.get(got);
                    return java.util.Arrays.equals(got, 0, MiB, data, at, at + MiB);
                }));
            }
            for (Future<Boolean> read : reads) {
                assertTrue(read.get(), "each concurrent read returns its own range");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void should_refuse_reads_past_the_end_and_of_missing_snapshots_naming_them() {
        Guest guest = volume("contract-bounds");
        SourceVolume volume = open(guest);
        volume.createSnapshot("s1");
        try (BlockReader reader = volume.readerAt("s1")) {
            assertEquals(SIZE, reader.size());
            assertThrows(RuntimeException.class, () -> reader.read(SIZE - 4096, ByteBuffer.allocateDirect(8192)));
        }
        RuntimeException missing = assertThrows(RuntimeException.class, () -> volume.readerAt("absent").close());
        assertTrue(String.valueOf(missing.getMessage()).contains("absent"), "the error names the snapshot: " + missing);
    }

    @Test
    void should_refuse_a_snapshot_over_the_platforms_limit_as_a_snapshot_limit() {
        Guest guest = volume("contract-limit");
        guest.limitSnapshots(2);
        SourceVolume volume = open(guest);
        volume.createSnapshot("s1");
        volume.createSnapshot("s2");
        SnapshotLimitException refused = assertThrows(SnapshotLimitException.class, () -> volume.createSnapshot("s3"));
        assertTrue(refused.getMessage().contains(guest.id().toString()), "the error names the volume: " + refused);
        assertEquals(List.of("s1", "s2"), volume.snapshots(), "the refused snapshot does not exist");
    }

    private static void assertInOrderWithin(List<Extent> extents) {
        long end = 0;
        for (Extent e : extents) {
            assertTrue(e.offset() >= end, "extents are in offset order and do not overlap: " + extents);
            assertTrue(e.length() > 0, "no empty extents: " + extents);
            end = e.end();
        }
        assertTrue(end <= SIZE, "extents lie within the volume: " + extents);
    }
}
