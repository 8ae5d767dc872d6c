package io.blockferry.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.demo.BenchOptions.BrokerMode;
import io.blockferry.demo.RatioTable.Line;
import io.blockferry.demo.RatioTable.Verdict;
import io.blockferry.demo.Row.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class RatioTableTest {

    private static final long MIB = 1 << 20;

    @Test
    void should_compare_times_for_the_same_job_and_judge_the_bars() {
        Results r = new Results();
        r.add(row(Kind.BASELINE_FULL, 400 * MIB, 2.0, 0));
        r.add(row(Kind.FULL_COLD, 384 * MIB, 8.0, 800));      // 0.25 of the baseline, GC 10%
        r.add(row(Kind.FULL_WARM, 384 * MIB, 3.0, 100));      // 0.67, GC 3.3%
        r.add(row(Kind.KAFKA_FULL, 384 * MIB, 2.8, 50));      // warm: 2.8 / 3.0 = 0.93
        List<Line> lines = RatioTable.of(r, List.of(BrokerMode.IN));

        assertLine(lines, "full (cold) / baseline", "0.25", Verdict.MISS);
        assertLine(lines, "full (warm) / baseline", "0.67", Verdict.PASS);
        assertLine(lines, "full (cold) / Kafka-only", "0.35", Verdict.MISS);
        assertLine(lines, "full (warm) / Kafka-only", "0.93", Verdict.PASS);
        assertLine(lines, "GC pauses / wall, full (cold)", "10.0%", Verdict.MISS);
        assertLine(lines, "GC pauses / wall, full (warm)", "3.3%", Verdict.PASS);
        // parts that did not run are left out, not printed as n/a
        assertTrue(lines.stream().noneMatch(l -> l.label().startsWith("incremental")
                || l.label().startsWith("4 volumes")), lines.toString());
    }

    @Test
    void should_judge_four_volumes_by_rate_against_the_warm_full_and_an_oom_as_a_miss() {
        Results r = new Results();
        r.add(row(Kind.FULL_COLD, 100 * MIB, 4.0, 0));
        r.add(row(Kind.FULL_WARM, 100 * MIB, 2.0, 0));
        r.add(row(Kind.FOUR, 400 * MIB, 8.0, 0));              // same rate as the warm full: 1.00
        List<Line> ok = RatioTable.of(r, List.of(BrokerMode.IN));
        assertLine(ok, "4 volumes aggregate / 1 volume (warm full), MB/s", "1.00", Verdict.PASS);
        assertLine(ok, "4 volumes at once without OutOfMemoryError", "no OOM", Verdict.PASS);
        assertLine(ok, "4 volumes / 4 baseline pipes", "-", Verdict.NA);

        Results oom = new Results();
        oom.add(row(Kind.FULL_WARM, 100 * MIB, 2.0, 0));
        oom.add(failed(Kind.FOUR, "OutOfMemoryError: thread x died"));
        List<Line> lines = RatioTable.of(oom, List.of(BrokerMode.IN));
        assertLine(lines, "4 volumes at once without OutOfMemoryError", "OOM", Verdict.MISS);
        Line aggregate = line(lines, "4 volumes aggregate / 1 volume (warm full), MB/s");
        assertEquals(Verdict.NA, aggregate.verdict());
        assertTrue(aggregate.why().contains("failed"), aggregate.why());
    }

    @Test
    void should_not_call_a_four_volume_failure_other_than_oom_a_heap_miss() {
        Results r = new Results();
        r.add(failed(Kind.FOUR, "IllegalStateException: no ack within the benchmark's --timeout"));
        assertLine(RatioTable.of(r, List.of(BrokerMode.IN)), "4 volumes at once without OutOfMemoryError", "-",
                Verdict.NA);
    }

    @Test
    void should_earn_a_non_zero_exit_code_for_a_differing_replica_or_a_failed_row() {
        Results r = new Results();
        r.add(new ReplicaCheck(BrokerMode.IN, "volumes/a", "s1", "aa", "aa"));
        assertEquals(Results.OK, r.exitCode());
        r.add(failed(Kind.FOUR, "OutOfMemoryError: x"));
        assertEquals(Results.ROW_FAILED, r.exitCode());
        r.add(new ReplicaCheck(BrokerMode.OUT, "volumes/a", "s2", "aa", "bb"));
        assertEquals(Results.REPLICA_DIFFERS, r.exitCode());
        assertTrue(ResultTable.loud(r.checks().get(1)).contains("REPLICA DIFFERS FROM ITS SOURCE: volumes/a"));
    }

    @Test
    void should_print_a_failed_row_with_its_time_heap_and_cause() {
        String printed = ResultTable.row(failed(Kind.FOUR, "OutOfMemoryError: thread x died"));
        assertTrue(printed.contains("FAILED after 12.0 s: OutOfMemoryError: thread x died"), printed);
        assertTrue(printed.contains(" 250 "), printed);
    }

    private static Row row(Kind kind, long bytes, double seconds, long gcMillis) {
        return new Row(BrokerMode.IN, kind, bytes, seconds, new Meter.Reading(1.0, 200 * MIB,
                new GcMeter.Reading(gcMillis / 10, gcMillis)), null, null, null);
    }

    private static Row failed(Kind kind, String failure) {
        return new Row(BrokerMode.IN, kind, 0, 12.0, new Meter.Reading(1.0, 250 * MIB, new GcMeter.Reading(9, 900)),
                failure, null, null);
    }

    private static void assertLine(List<Line> lines, String label, String value, Verdict verdict) {
        Line l = line(lines, label);
        assertEquals(value, l.value(), label);
        assertEquals(verdict, l.verdict(), label);
    }

    private static Line line(List<Line> lines, String label) {
        return lines.stream().filter(l -> l.label().equals(label)).findFirst()
                .orElseThrow(() -> new AssertionError("no line '" + label + "' in " + lines));
    }
}
