package io.blockferry.demo;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The benchmark's printed output: a line per row as it ends, then the tables at the end. */
final class ResultTable {

    static final String ROW_HEADER = String.format(Locale.ROOT, "%-6s %-31s %9s %8s %8s %9s %8s %6s %5s %5s  %s",
            "broker", "row", "data MiB", "seconds", "MB/s", "heap MiB", "GC s", "GC %", "GCs", "load", "note");
    static final String SPARSE_HEADER = String.format(Locale.ROOT, "%-6s %-31s %11s %9s %12s %12s %11s %8s  %s",
            "broker", "row", "written MiB", "sent MiB", "sent/written", "rbd diff MiB", "rbd/written", "seconds", "note");
    static final String RATIO_HEADER = String.format(Locale.ROOT, "%-6s %-52s %8s %8s  %s",
            "broker", "ratio", "value", "bar", "result");

    private ResultTable() {
    }

    /** The line printed when a row ends. */
    static String progress(Row row) {
        String head = String.format(Locale.ROOT, "[%s] %s: ", row.broker().key(), row.kind().label);
        if (!row.ok()) {
            return head + String.format(Locale.ROOT, "FAILED after %.1f s (peak heap %d MiB): ", row.seconds(),
                    row.meter().peakHeap() >> 20) + row.failure();
        }
        String jvm = row.kind().inThisJvm ? String.format(Locale.ROOT, ", peak heap %d MiB, GC %.2f s (%.1f%%)",
                row.meter().peakHeap() >> 20, row.meter().gc().millis() / 1000.0, row.gcShare() * 100) : "";
        return head + String.format(Locale.ROOT, "%.1f MiB in %.2f s, %.1f MB/s%s", mib(row.bytes()), row.seconds(),
                row.megabytesPerSecond(), jvm) + (row.note() == null ? "" : " (" + row.note() + ")");
    }

    static String row(Row r) {
        boolean jvm = r.kind().inThisJvm;
        return String.format(Locale.ROOT, "%-6s %-31s %9s %8.2f %8s %9s %8s %6s %5s %5.2f  %s", r.broker().key(),
                r.kind().label, r.ok() ? String.format(Locale.ROOT, "%.1f", mib(r.bytes())) : "-", r.seconds(),
                r.ok() ? String.format(Locale.ROOT, "%.1f", r.megabytesPerSecond()) : "-",
                jvm ? Long.toString(r.meter().peakHeap() >> 20) : "-",
                jvm ? String.format(Locale.ROOT, "%.2f", r.meter().gc().millis() / 1000.0) : "-",
                jvm ? String.format(Locale.ROOT, "%.1f", r.gcShare() * 100) : "-",
                jvm ? Long.toString(r.meter().gc().collections()) : "-", r.meter().load(),
                !r.ok() ? "FAILED after " + String.format(Locale.ROOT, "%.1f s: ", r.seconds()) + r.failure()
                        : r.note() == null ? "" : r.note());
    }

    static String sparse(Row r) {
        if (!r.ok()) {
            return String.format(Locale.ROOT, "%-6s %-31s FAILED: %s", r.broker().key(), r.kind().label, r.failure());
        }
        Row.Sparse s = r.sparse();
        return String.format(Locale.ROOT, "%-6s %-31s %11.2f %9.2f %12.2f %12.2f %11.2f %8.2f  %s", r.broker().key(),
                r.kind().label, mib(s.written()), mib(r.bytes()), (double) r.bytes() / s.written(),
                mib(s.rbdDiffBytes()), (double) s.rbdDiffBytes() / s.written(), r.seconds(),
                r.note() == null ? "" : r.note());
    }

    static String ratio(RatioTable.Line l) {
        String result = switch (l.verdict()) {
            case PASS -> "PASS";
            case MISS -> "MISS";
            case NONE -> "";
            case NA -> "n/a (" + l.why() + ")";
        };
        return String.format(Locale.ROOT, "%-6s %-52s %8s %8s  %s", l.broker().key(), l.label(), l.value(), l.bar(),
                result);
    }

    /** A replica that differs from its source must not be missed in a long output. */
    static String loud(ReplicaCheck c) {
        String bar = "!".repeat(100);
        return String.format("%s%n!!! [%s] REPLICA DIFFERS FROM ITS SOURCE: %s at @%s%n!!!   source  sha256 %s%n"
                + "!!!   replica sha256 %s%n%s", bar, c.broker().key(), c.volume(), c.snapshot(), c.sourceSha(),
                c.replicaSha(), bar);
    }

    static void print(Results results, BenchOptions options, PrintStream out) {
        List<Row> rows = results.rows();
        if (rows.stream().anyMatch(r -> !r.isSparse())) {
            out.printf("%n== Rows (MB/s = 10^6 bytes/s of each row's own data; heap and GC of this JVM) ==%n%s%n",
                    ROW_HEADER);
            rows.stream().filter(r -> !r.isSparse()).forEach(r -> out.println(row(r)));
        }
        if (rows.stream().anyMatch(Row::isSparse)) {
            out.printf("%n== Sparse writes: bytes sent on the wire (DATA payload) against bytes written ==%n%s%n",
                    SPARSE_HEADER);
            rows.stream().filter(Row::isSparse).forEach(r -> out.println(sparse(r)));
        }
        out.printf("%n== Ratios (times for the same job: above 1.0 Blockferry is faster) and the issue's bars ==%n");
        long maxHeap = Runtime.getRuntime().maxMemory() >> 20;
        if (maxHeap > 256) {
            out.printf("   (the bars are set for -Xmx256m; this JVM's heap is %d MiB)%n", maxHeap);
        }
        out.println(RATIO_HEADER);
        List<RatioTable.Line> lines = RatioTable.of(results, options.brokers());
        lines.forEach(l -> out.println(ratio(l)));

        out.printf("%n== Replicas against their source snapshots (SHA-256) ==%n");
        for (ReplicaCheck c : results.checks()) {
            out.println(c.identical() ? String.format("[%s] %s @%s: bit-identical", c.broker().key(), c.volume(),
                    c.snapshot()) : loud(c));
        }
        results.failures().forEach(f -> out.println("FAILED: " + f));
        long pass = lines.stream().filter(l -> l.verdict() == RatioTable.Verdict.PASS).count();
        long bars = lines.stream().filter(l -> l.verdict() == RatioTable.Verdict.PASS
                || l.verdict() == RatioTable.Verdict.MISS).count();
        long identical = results.checks().stream().filter(ReplicaCheck::identical).count();
        long failedRows = rows.stream().filter(r -> !r.ok()).count();
        out.printf("%nSummary: %d of %d bars met; %d of %d replicas bit-identical; %d failed rows; exit code %d%n",
                pass, bars, identical, results.checks().size(), failedRows, results.exitCode());
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }
}
