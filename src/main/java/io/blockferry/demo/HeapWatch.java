package io.blockferry.demo;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicLong;

/** Samples the heap in use every 20 ms and keeps the maximum since the last reset. */
final class HeapWatch {

    private final AtomicLong peak = new AtomicLong();
    private final Thread sampler;
    private volatile boolean running = true;

    private HeapWatch() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        sampler = new Thread(() -> {
            while (running) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-watch");
        sampler.setDaemon(true);
    }

    static HeapWatch start() {
        HeapWatch watch = new HeapWatch();
        watch.sampler.start();
        return watch;
    }

    void reset() {
        peak.set(0);
    }

    long peak() {
        return peak.get();
    }

    void stop() {
        running = false;
        sampler.interrupt();
    }
}
