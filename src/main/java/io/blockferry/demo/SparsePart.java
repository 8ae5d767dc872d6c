package io.blockferry.demo;

import io.blockferry.demo.Row.Kind;
import java.util.LinkedHashSet;
import java.util.Random;
import java.util.Set;

/**
 * Scattered 4 KiB writes on an image with large objects (32 MiB by default, the case), to
 * compare the bytes sent on the wire (the generation's DATA payload) with the bytes written, next
 * to what rbd's own diff holds. librbd reports a write into an object that did not exist at the
 * base from the object's start, so where the writes land matters:
 * <ol>
 *   <li>a full sync of the empty image (the base; not a row);</li>
 *   <li>an incremental of N writes on that empty base: every object they touch is new;</li>
 *   <li>an incremental of N more: on a small image their objects exist by now, on a large one
 *       most are new again (the row's note counts them);</li>
 *   <li>a full sync of the result: a sparse full, what the issue measured at 1.47x.</li>
 * </ol>
 * The times are for information; there is no baseline row.
 */
final class SparsePart {

    private final BenchContext c;
    private final String image;
    private final SyncRows syncs;
    private final Set<Long> written = new LinkedHashSet<>();

    private SparsePart(BenchContext c) {
        this.c = c;
        this.image = c.image("-sparse");
        this.syncs = new SyncRows(c);
    }

    static Void run(BenchContext c) throws Exception {
        new SparsePart(c).run();
        return null;
    }

    private void run() throws Exception {
        BenchOptions o = c.options();
        c.images().create(image, o.size(), Long.numberOfTrailingZeros(o.sparseObjectSize()));
        c.say("sparse: %s, %d MiB with %d MiB objects, %d writes of 4 KiB at random 4 KiB-aligned offsets per "
                + "generation", BenchImages.volumeId(image), o.size() >> 20, o.sparseObjectSize() >> 20, o.sparseWrites());
        try {
            c.images().snapshot(image, "sparse-0");
            // the base: nothing to send, but it must commit for the next ones to be incrementals
            syncs.sync(image, false, "full", () -> null, null);
            incremental("sparse-0", "sparse-1", 3, Kind.SPARSE_NEW_OBJECTS);
            incremental("sparse-1", "sparse-2", 4, Kind.SPARSE_OLD_OBJECTS);
            long all = (long) written.size() * BenchImages.SMALL_WRITE;
            long rbdDiff = c.rbd().diffDataBytes(image, null, "sparse-2");
            c.row(Kind.SPARSE_FULL, a -> sparse(syncs.sync(image, true, "full", a, null), all, rbdDiff));
            syncs.verify(image);
        } finally {
            c.images().removeIfFree(image);
        }
    }

    private void incremental(String from, String snapshot, long seed, Kind kind) throws Exception {
        Set<Long> offsets = offsets(seed);
        long objectSize = c.options().sparseObjectSize();
        Set<Long> objects = new java.util.HashSet<>();
        written.forEach(w -> objects.add(w / objectSize));
        long existed = offsets.stream().filter(o -> objects.contains(o / objectSize)).count();
        c.images().writeSmall(image, offsets, seed);
        written.addAll(offsets);
        // our own snapshot next to Blockferry's, with no write between them: rbd's diff of the same writes
        c.images().snapshot(image, snapshot);
        long rbdDiff = c.rbd().diffDataBytes(image, from, snapshot);
        long bytes = (long) offsets.size() * BenchImages.SMALL_WRITE;
        String note = existed + " of " + offsets.size() + " writes into objects that existed at the base";
        c.row(kind, a -> sparse(syncs.sync(image, false, "incremental", a, note), bytes, rbdDiff));
        syncs.verify(image); // each one: the full at the end replaces the replica whole
    }

    /** Distinct random 4 KiB-aligned offsets. */
    private Set<Long> offsets(long seed) {
        Random random = new Random(seed);
        long slots = c.options().size() / BenchImages.SMALL_WRITE;
        Set<Long> offsets = new LinkedHashSet<>();
        while (offsets.size() < c.options().sparseWrites()) {
            offsets.add((long) (random.nextDouble() * slots) * BenchImages.SMALL_WRITE);
        }
        return offsets;
    }

    private static RowRunner.Outcome sparse(RowRunner.Outcome o, long written, long rbdDiff) {
        return new RowRunner.Outcome(o.bytes(), o.seconds(), o.note(), new Row.Sparse(written, rbdDiff));
    }
}
