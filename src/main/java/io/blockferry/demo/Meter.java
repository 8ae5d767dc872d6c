package io.blockferry.demo;

/**
 * Measures one row: the load average when it starts, the peak heap while it runs (sampled by
 * {@link HeapWatch}) and the GC pauses it cost ({@link GcMeter}).
 */
final class Meter {

    /** What was measured; heap and GC figures are this JVM's. */
    record Reading(double load, long peakHeap, GcMeter.Reading gc) {
    }

    private final HeapWatch heap;
    private double load;
    private GcMeter.Reading gcStart;

    Meter(HeapWatch heap) {
        this.heap = heap;
    }

    /** Starts a row; rows are measured one at a time. */
    void start() {
        load = LoadAverage.oneMinute();
        heap.reset();
        gcStart = GcMeter.now();
    }

    Reading stop() {
        return new Reading(load, heap.peak(), GcMeter.now().since(gcStart));
    }
}
