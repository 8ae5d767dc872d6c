package io.blockferry.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.demo.BenchOptions.BrokerMode;
import io.blockferry.demo.BenchOptions.Part;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void should_run_everything_at_2g_with_both_brokers_by_default() {
        BenchOptions o = BenchOptions.parse(List.of(), Map.of());
        assertEquals(2L << 30, o.size());
        assertEquals(EnumSet.allOf(Part.class), o.parts());
        assertEquals(List.of(BrokerMode.IN, BrokerMode.OUT), o.brokers());
        assertEquals(2000, o.sparseWrites());
        assertEquals(32L << 20, o.sparseObjectSize());
        assertEquals(Duration.ofMinutes(30), o.timeout());
        assertEquals(Duration.ofMinutes(2), o.stall());
        assertEquals("blockferry-bench", o.imagePrefix());
        assertEquals(List.of("-Xmx1g"), o.brokerJavaOpts());
    }

    @Test
    void should_prefer_the_command_line_to_the_environment() {
        Map<String, String> env = Map.of("BLOCKFERRY_BENCH_SIZE", "1G", "BLOCKFERRY_BENCH_ONLY", "four",
                "BLOCKFERRY_BENCH_BROKER", "out", "BLOCKFERRY_BENCH_BROKER_JAVA_OPTS", "-Xmx512m -XX:+UseG1GC",
                "BLOCKFERRY_BENCH_IMAGE_PREFIX", "mine");
        BenchOptions fromEnv = BenchOptions.parse(List.of(), env);
        assertEquals(1L << 30, fromEnv.size());
        assertEquals(EnumSet.of(Part.FOUR), fromEnv.parts());
        assertEquals(List.of(BrokerMode.OUT), fromEnv.brokers());
        assertEquals(List.of("-Xmx512m", "-XX:+UseG1GC"), fromEnv.brokerJavaOpts());
        assertEquals("mine", fromEnv.imagePrefix());

        BenchOptions given = BenchOptions.parse(List.of("512M", "--only", "single,kafka", "--broker=in",
                "--sparse-writes", "10", "--sparse-object-size", "4M", "--timeout", "90s", "--stall", "30s"), env);
        assertEquals(512L << 20, given.size());
        assertEquals(EnumSet.of(Part.SINGLE, Part.KAFKA), given.parts());
        assertTrue(given.runs(Part.KAFKA));
        assertFalse(given.runs(Part.FOUR));
        assertEquals(List.of(BrokerMode.IN), given.brokers());
        assertEquals(10, given.sparseWrites());
        assertEquals(4L << 20, given.sparseObjectSize());
        assertEquals(Duration.ofSeconds(90), given.timeout());
        assertEquals(Duration.ofSeconds(30), given.stall());
    }

    @Test
    void should_explain_what_is_wrong() {
        assertMessage("unknown part 'singel'", List.of("--only", "singel"));
        assertMessage("--broker must be in, out or both", List.of("--broker", "elsewhere"));
        assertMessage("unknown option --size", List.of("--size", "1G"));
        assertMessage("needs a value", List.of("--only"));
        assertMessage("one SIZE at most", List.of("1G", "2G"));
        assertMessage("at least 64M", List.of("1M"));
        assertMessage("power of two", List.of("--sparse-object-size", "3M"));
        assertMessage("whole number", List.of("--sparse-writes", "many"));
        assertMessage("SIZE: ", List.of("lots"));
        assertMessage("--stall: ", List.of("--stall", "soon"));
    }

    private static void assertMessage(String expected, List<String> args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BenchOptions.parse(args, Map.of()));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
