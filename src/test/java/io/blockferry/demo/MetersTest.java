package io.blockferry.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetersTest {

    @Test
    void should_count_the_gc_between_two_readings_as_a_share_of_the_wall_time() {
        GcMeter.Reading start = new GcMeter.Reading(10, 1_000);
        GcMeter.Reading end = new GcMeter.Reading(25, 1_500);
        GcMeter.Reading row = end.since(start);
        assertEquals(15, row.collections());
        assertEquals(500, row.millis());
        assertEquals(0.05, row.shareOf(10.0), 1e-9);
        assertTrue(Double.isNaN(row.shareOf(0)));
    }

    @Test
    void should_read_the_real_beans_without_going_backwards() {
        GcMeter.Reading a = GcMeter.now();
        System.gc();
        GcMeter.Reading b = GcMeter.now();
        assertTrue(b.collections() >= a.collections() && b.millis() >= a.millis());
        assertTrue(!GcMeter.collectors().isEmpty());
    }

    @Test
    void should_take_the_one_minute_load_average() {
        assertEquals(1.41, LoadAverage.parse("1.41 1.17 0.60 1/491 20297\n"), 1e-9);
    }
}
