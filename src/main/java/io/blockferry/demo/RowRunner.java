package io.blockferry.demo;

import io.blockferry.demo.BenchOptions.BrokerMode;
import java.io.PrintStream;

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
        String outOfMemory = oom.since(mark);
        if (outOfMemory != null) {
            // Even a row that finished is not a pass when the JVM ran out of heap during it.
            failure = "OutOfMemoryError: " + outOfMemory
                    + (failure == null || failure.contains(outOfMemory) ? "" : "; then " + failure);
        }
        // a failed row keeps how long it ran, and its heap and GC: they say how it failed
        Row row = outcome == null
                ? new Row(broker, kind, 0, (System.nanoTime() - start) / 1e9, reading, failure, null, null)
                : new Row(broker, kind, outcome.bytes(), outcome.seconds(), reading, failure, outcome.note(),
                        outcome.sparse());
        results.add(row);
        out.println(ResultTable.progress(row));
        return row;
    }

    private static String describe(Throwable t) {
        StringBuilder s = new StringBuilder(t.getClass().getSimpleName() + ": " + t.getMessage());
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            s.append("; caused by ").append(c.getClass().getSimpleName()).append(": ").append(c.getMessage());
        }
        return s.toString();
    }
}
