package io.blockferry.demo;

import io.blockferry.demo.Row.Kind;
import java.util.List;

/**
 * One volume, the baseline and Blockferry on the same image: full, Blockferry's full again in the
 * warm JVM, then 10% changed in 64 KiB blocks and the incremental.
 */
final class SinglePart {

    /** What the Kafka-only stage must move to match these rows. */
    record Sent(String volumeId, long fullBytes, long incrementalBytes) {
    }

    private SinglePart() {
    }

    static Sent run(BenchContext c) throws Exception {
        long size = c.options().size();
        String image = c.image("");
        String copy = c.image("-copy");
        long written = c.images().createWithHoles(image, size, 1);
        c.images().create(copy, size, 22);
        c.say("single: %s, %d MiB, %d MiB of random data in 4 MiB blocks, the rest holes",
                BenchImages.volumeId(image), size >> 20, written >> 20);
        SyncRows syncs = new SyncRows(c);
        try {
            c.images().snapshot(image, "base-1");
            long fullDiff = c.rbd().diffDataBytes(image, null, "base-1");
            c.row(Kind.BASELINE_FULL, a -> pipe(c, new RbdCli.Pipe(image, null, "base-1", copy), fullDiff));
            String coldNote = c.firstMode() ? null : "fresh runtime; the JVM's JIT is warm from an earlier mode";
            Row cold = c.row(Kind.FULL_COLD, a -> syncs.sync(image, false, "full", a, coldNote));
            syncs.verify(image); // every generation: the next full replaces this replica whole
            Row warm = c.row(Kind.FULL_WARM, a -> syncs.sync(image, true, "full", a, null));
            syncs.verify(image);

            c.images().changeTenPercent(image, size, 2);
            c.images().snapshot(image, "base-2");
            long incrementalDiff = c.rbd().diffDataBytes(image, "base-1", "base-2");
            c.row(Kind.BASELINE_INCREMENTAL, a -> pipe(c, new RbdCli.Pipe(image, "base-1", "base-2", copy),
                    incrementalDiff));
            Row incremental = c.row(Kind.INCREMENTAL, a -> syncs.sync(image, false, "incremental", a, null));
            syncs.verify(image);
            long full = warm.ok() ? warm.bytes() : cold.ok() ? cold.bytes() : fullDiff;
            return new Sent(BenchImages.volumeId(image), full, incremental.ok() ? incremental.bytes() : incrementalDiff);
        } finally {
            c.images().removeIfFree(copy);
            c.images().removeIfFree(image);
        }
    }

    static RowRunner.Outcome pipe(BenchContext c, RbdCli.Pipe pipe, long diffBytes) throws Exception {
        return new RowRunner.Outcome(diffBytes, c.rbd().pipesAtOnce(List.of(pipe)).wallSeconds(), null);
    }
}
