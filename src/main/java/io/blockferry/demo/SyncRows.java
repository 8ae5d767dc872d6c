package io.blockferry.demo;

/**
 * Turns a Blockferry sync into a row's outcome, and remembers the snapshot of the last generation
 * that committed, which is what the replica must equal at the end. A generation of the wrong mode
 * fails its row: it would measure something else.
 */
final class SyncRows {

    private final BenchContext context;
    private String committedSnapshot;

    SyncRows(BenchContext context) {
        this.context = context;
    }

    RowRunner.Outcome sync(String image, boolean forceFull, String expectedMode, BenchRuntime.Abandon abandon,
                           String note) {
        committedSnapshot = null; // until this one commits, the replica's state is not known to the benchmark
        BenchRuntime.Synced s = context.runtime().sync(BenchImages.volumeId(image), forceFull,
                context.options().timeout(), abandon);
        if (!s.mode().equals(expectedMode)) {
            throw new IllegalStateException("expected a " + expectedMode + " generation of " + s.volumeId()
                    + ", got " + s.mode());
        }
        committedSnapshot = s.snapshot();
        return new RowRunner.Outcome(s.dataBytes(), s.seconds(), note);
    }

    /** The snapshot the replica should equal, or null when the last generation did not commit. */
    String committedSnapshot() {
        return committedSnapshot;
    }

    /** Verifies the replica if its last generation committed; says why not otherwise. */
    void verify(String image) {
        verify(image, context.options().size());
    }

    /** The same for an image of another size than the benchmark's. */
    void verify(String image, long size) {
        if (committedSnapshot == null) {
            context.say("replica of %s not checked: its last generation did not commit", image);
        } else {
            context.verify(image, committedSnapshot, size);
        }
    }
}
