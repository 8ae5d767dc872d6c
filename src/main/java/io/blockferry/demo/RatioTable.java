package io.blockferry.demo;

import io.blockferry.demo.BenchOptions.BrokerMode;
import io.blockferry.demo.Row.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The ratios the issue asks for, per broker mode, and whether each of its bars is met. Blockferry
 * against the baseline or the Kafka-only stage is a ratio of times for the same job (the other
 * side's seconds over Blockferry's: above 1.0 Blockferry is faster); four volumes against one is a
 * ratio of rates, since the jobs differ.
 */
final class RatioTable {

    /** PASS and MISS against a bar; NONE when the issue sets no bar; NA when a row is missing or failed. */
    enum Verdict { PASS, MISS, NONE, NA }

    /** One line of the table; {@code why} says what made it n/a. */
    record Line(BrokerMode broker, String label, String value, String bar, Verdict verdict, String why) {
    }

    static final double VS_BASELINE = 0.5;
    static final double VS_KAFKA = 0.9;
    static final double FOUR_VS_ONE = 1.0;
    static final double GC_SHARE = 0.05;

    private final Results results;
    private final List<Line> lines = new ArrayList<>();

    private RatioTable(Results results) {
        this.results = results;
    }

    static List<Line> of(Results results, List<BrokerMode> brokers) {
        RatioTable t = new RatioTable(results);
        for (BrokerMode b : brokers) {
            t.mode(b);
        }
        return t.lines;
    }

    private void mode(BrokerMode b) {
        faster(b, "full (cold) / baseline", Kind.FULL_COLD, Kind.BASELINE_FULL, VS_BASELINE);
        faster(b, "full (warm) / baseline", Kind.FULL_WARM, Kind.BASELINE_FULL, VS_BASELINE);
        faster(b, "incremental / baseline", Kind.INCREMENTAL, Kind.BASELINE_INCREMENTAL, VS_BASELINE);
        faster(b, "full (cold) / Kafka-only", Kind.FULL_COLD, Kind.KAFKA_FULL, VS_KAFKA);
        faster(b, "full (warm) / Kafka-only", Kind.FULL_WARM, Kind.KAFKA_FULL, VS_KAFKA);
        faster(b, "incremental / Kafka-only", Kind.INCREMENTAL, Kind.KAFKA_INCREMENTAL, VS_KAFKA);
        fourVersusOne(b);
        faster(b, "4 volumes / 4 baseline pipes", Kind.FOUR, Kind.BASELINE_FOUR, Double.NaN);
        faster(b, "4 volumes / Kafka-only 4 keys", Kind.FOUR, Kind.KAFKA_FOUR, Double.NaN);
        faster(b, "checksum resync / full resync", Kind.RESYNC_CHECKSUM, Kind.RESYNC_FULL, Double.NaN);
        faster(b, "DR apply full / rbd import-diff", Kind.DR_FULL, Kind.DR_BASELINE_FULL, Double.NaN);
        faster(b, "DR apply incr / rbd import-diff", Kind.DR_INCREMENTAL, Kind.DR_BASELINE_INCREMENTAL, Double.NaN);
        faster(b, "2 writers / 1 writer, same 6 volumes", Kind.WRITERS_2, Kind.WRITERS_1, Double.NaN);
        faster(b, "3 writers / 1 writer, same 6 volumes", Kind.WRITERS_3, Kind.WRITERS_1, Double.NaN);
        noOutOfMemory(b);
        for (Kind k : List.of(Kind.FULL_COLD, Kind.FULL_WARM, Kind.INCREMENTAL, Kind.FOUR)) {
            gc(b, k);
        }
    }

    /** Same job on both sides: their seconds over ours. A NaN bar means the issue sets none. */
    private void faster(BrokerMode b, String label, Kind ours, Kind theirs, double bar) {
        if (noneRan(b, ours, theirs)) {
            return;
        }
        Optional<String> missing = missing(b, ours, theirs);
        String barText = Double.isNaN(bar) ? "" : String.format(">= %.2f", bar);
        if (missing.isPresent()) {
            lines.add(new Line(b, label, "-", barText, Verdict.NA, missing.get()));
            return;
        }
        double ratio = row(b, theirs).seconds() / row(b, ours).seconds();
        lines.add(new Line(b, label, String.format("%.2f", ratio), barText,
                Double.isNaN(bar) ? Verdict.NONE : verdict(ratio >= bar), null));
    }

    /** Rates, not times: four volumes' data is four times one volume's. Against the warm full if it ran. */
    private void fourVersusOne(BrokerMode b) {
        Kind one = results.find(b, Kind.FULL_WARM).filter(Row::ok).isPresent() ? Kind.FULL_WARM : Kind.FULL_COLD;
        String label = "4 volumes aggregate / 1 volume (" + (one == Kind.FULL_WARM ? "warm" : "cold") + " full), MB/s";
        String bar = String.format(">= %.2f", FOUR_VS_ONE);
        if (noneRan(b, Kind.FOUR)) {
            return;
        }
        Optional<String> missing = missing(b, Kind.FOUR, one);
        if (missing.isPresent()) {
            lines.add(new Line(b, label, "-", bar, Verdict.NA, missing.get()));
            return;
        }
        double ratio = row(b, Kind.FOUR).megabytesPerSecond() / row(b, one).megabytesPerSecond();
        lines.add(new Line(b, label, String.format("%.2f", ratio), bar, verdict(ratio >= FOUR_VS_ONE), null));
    }

    /** A four-volume row that ran out of heap is a MISS; one that failed otherwise says nothing about heap. */
    private void noOutOfMemory(BrokerMode b) {
        String label = "4 volumes at once without OutOfMemoryError";
        Optional<Row> four = results.find(b, Kind.FOUR);
        if (four.isEmpty()) {
            return;
        }
        if (four.get().ok()) {
            lines.add(new Line(b, label, "no OOM", "no OOM", Verdict.PASS, null));
        } else if (four.get().failure().startsWith("OutOfMemoryError")) {
            lines.add(new Line(b, label, "OOM", "no OOM", Verdict.MISS, null));
        } else {
            lines.add(new Line(b, label, "-", "no OOM", Verdict.NA, "failed: " + four.get().failure()));
        }
    }

    private void gc(BrokerMode b, Kind k) {
        String label = "GC pauses / wall, " + k.label.replace("blockferry", "").replaceFirst("^[ ,]+", "");
        String bar = String.format("< %.0f%%", GC_SHARE * 100);
        if (noneRan(b, k)) {
            return;
        }
        Optional<String> missing = missing(b, k);
        if (missing.isPresent()) {
            lines.add(new Line(b, label, "-", bar, Verdict.NA, missing.get()));
            return;
        }
        double share = row(b, k).gcShare();
        lines.add(new Line(b, label, String.format("%.1f%%", share * 100), bar, verdict(share < GC_SHARE), null));
    }

    private static Verdict verdict(boolean met) {
        return met ? Verdict.PASS : Verdict.MISS;
    }

    /** A line about parts that were not asked for is left out, not printed as n/a. */
    private boolean noneRan(BrokerMode b, Kind... kinds) {
        for (Kind k : kinds) {
            if (results.find(b, k).isPresent()) {
                return false;
            }
        }
        return true;
    }

    private Optional<String> missing(BrokerMode b, Kind... kinds) {
        for (Kind k : kinds) {
            Optional<Row> r = results.find(b, k);
            if (r.isEmpty()) {
                return Optional.of(k.label + " not run");
            }
            if (!r.get().ok()) {
                return Optional.of(k.label + " failed");
            }
        }
        return Optional.empty();
    }

    private Row row(BrokerMode b, Kind k) {
        return results.find(b, k).orElseThrow();
    }
}
