package io.blockferry.demo;

import io.blockferry.demo.BenchOptions.BrokerMode;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/**
 * Runs one row: measures it, turns whatever it throws (an OutOfMemoryError included) into a
 * failed row, so one row's failure never stops the benchmark, and records and prints it.
 */
final class RowRunner {

    /** What a row's body measured. */
    record Outcome(long bytes, double seconds, String note, Row.Sparse sparse) {

        Outcome(long bytes, double seconds, String note) {
            this(bytes, seconds, note, null);
        }
    }

    /**
     * Thrown after a row that ran out of heap has been recorded: the runtime's state is unknown,
     * so the rest of its part does not run (the next part gets a new runtime).
     */
    static final class OutOfMemoryRow extends RuntimeException {
        OutOfMemoryRow(Row row) {
            super(row.kind().label + " ran out of heap");
        }
    }

    /** A row's work; it stops waiting when {@code abandon} gives a reason. */
    interface Body {
        Outcome run(BenchRuntime.Abandon abandon) throws Exception;
    }

    private final Meter meter;
    private final OutOfMemoryWatch oom;
    private final Results results;
    private final PrintStream out;

    RowRunner(Meter meter, OutOfMemoryWatch oom, Results results, PrintStream out) {
        this.meter = meter;
        this.oom = oom;
        this.results = results;
        this.out = out;
    }

    Row run(BrokerMode broker, Row.Kind kind, Body body) {
        flushDirtyPages();
        int mark = oom.mark();
        meter.start();
        long start = System.nanoTime();
        Outcome outcome = null;
        String failure = null;
        try {
            outcome = body.run(() -> oom.since(mark));
        } catch (Throwable t) {
            if (OutOfMemoryWatch.isOutOfMemory(t)) {
                oom.record("thrown to the benchmark: " + t);
            }
            failure = describe(t);
        }
        Meter.Reading reading = meter.stop();
        String first = oom.since(mark);
        if (first != null) {
            // Even a row that finished is not a pass when the JVM ran out of heap during it.
            failure = "OutOfMemoryError: " + outOfMemory(mark)
                    + (failure == null || failure.contains(first) ? "" : "; then " + failure);
        } else if (failure != null && mark > 0) {
            failure += " (this JVM ran out of heap before, and reports only its first OutOfMemoryError: "
                    + "this may be another)";
        }
        // a failed row keeps how long it ran, and its heap and GC: they say how it failed
        Row row = outcome == null
                ? new Row(broker, kind, 0, (System.nanoTime() - start) / 1e9, reading, failure, null, null)
                : new Row(broker, kind, outcome.bytes(), outcome.seconds(), reading, failure, outcome.note(),
                        outcome.sparse());
        results.add(row);
        out.println(ResultTable.progress(row));
        if (first != null) {
            throw new OutOfMemoryRow(row);
        }
        return row;
    }

    /**
     * The previous row left up to a volume of dirty pages (broker log, staging, replica) for the
     * kernel to write back; without a sync first, the next row would pay for them. Untimed.
     */
    private static void flushDirtyPages() {
        try {
            new ProcessBuilder("sync").inheritIO().start().waitFor();
        } catch (IOException e) {
            // no sync command: the row runs on whatever is still dirty
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The signs of an OOM during the row. The first (often the heap dump, which names no thread)
     * ends the row at once; the threads that hit it log theirs a moment later, so wait for those.
     */
    private String outOfMemory(int mark) {
        try {
            Thread.sleep(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<String> signs = oom.allSince(mark);
        return String.join("; ", signs.subList(0, Math.min(3, signs.size())))
                + (signs.size() > 3 ? "; and " + (signs.size() - 3) + " more" : "");
    }

    private static String describe(Throwable t) {
        StringBuilder s = new StringBuilder(t.getClass().getSimpleName() + ": " + t.getMessage());
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            s.append("; caused by ").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
        }
        return s.toString();
    }
}
