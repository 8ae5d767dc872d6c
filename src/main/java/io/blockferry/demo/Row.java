package io.blockferry.demo;

import io.blockferry.demo.BenchOptions.BrokerMode;

/**
 * One line of the benchmark's result table.
 *
 * @param bytes   the data bytes this row moved (for a baseline row: the data extents of rbd's diff)
 * @param seconds the row's timed window (see BENCHMARKS.md for where each kind starts and stops)
 * @param meter   load, peak heap and GC of this JVM while the row ran
 * @param failure why the row failed (an OutOfMemoryError, an error, no ack in time), or null
 * @param note    anything a reader of the figure should know, or null
 * @param sparse  for the sparse rows, the bytes written and rbd's own diff of them; else null
 */
record Row(BrokerMode broker, Kind kind, long bytes, double seconds, Meter.Reading meter, String failure, String note,
           Sparse sparse) {

    /** What a row measures; the labels are the table's. */
    enum Kind {
        BASELINE_FULL("baseline full", false),
        FULL_COLD("blockferry full (cold)", true),
        FULL_WARM("blockferry full (warm)", true),
        BASELINE_INCREMENTAL("baseline incremental", false),
        INCREMENTAL("blockferry incremental", true),
        KAFKA_FULL("kafka-only, full's bytes", true),
        KAFKA_INCREMENTAL("kafka-only, incr's bytes", true),
        SPARSE_NEW_OBJECTS("sparse incr, empty base", true),
        SPARSE_OLD_OBJECTS("sparse incr, written base", true),
        SPARSE_FULL("sparse full", true),
        BASELINE_FOUR("baseline, 4 pipes at once", false),
        FOUR("blockferry, 4 volumes at once", true),
        KAFKA_FOUR("kafka-only, 4 keys at once", true),
        RESYNC_FULL("full resync, 1% changed", true),
        RESYNC_CHECKSUM("checksum resync, 1% changed", true),
        DR_BASELINE_FULL("rbd import-diff, full diff", false),
        DR_FULL("DR replica apply, full diff", true),
        DR_BASELINE_INCREMENTAL("rbd import-diff, incr diff", false),
        DR_INCREMENTAL("DR replica apply, incr diff", true),
        WRITERS_1("6 volumes, 1 writer", false),
        WRITERS_2("6 volumes, 2 writers sharing", false),
        WRITERS_3("6 volumes, 3 writers sharing", false);

        final String label;
        /** Whether this JVM does the row's work, so its heap and GC figures belong to the row. */
        final boolean inThisJvm;

        Kind(String label, boolean inThisJvm) {
            this.label = label;
            this.inThisJvm = inThisJvm;
        }
    }

    /** A sparse generation's bytes: written by the benchmark, sent by Blockferry, in rbd's diff. */
    record Sparse(long written, long rbdDiffBytes) {
    }

    boolean isSparse() {
        return sparse != null || kind == Kind.SPARSE_NEW_OBJECTS || kind == Kind.SPARSE_OLD_OBJECTS
                || kind == Kind.SPARSE_FULL;
    }

    boolean ok() {
        return failure == null;
    }

    double megabytesPerSecond() {
        return bytes / 1e6 / seconds;
    }

    /** GC pause time over the row's timed window (0.05 is 5%), or NaN for rows of other processes. */
    double gcShare() {
        return kind.inThisJvm && meter != null ? meter.gc().shareOf(seconds) : Double.NaN;
    }
}
