package io.blockferry.demo;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Collections and collection time of this JVM, summed over its {@link GarbageCollectorMXBean}s,
 * so a row can report the GC it cost as a share of its wall time.
 *
 * <p>What JDK 17's beans count, with G1 (the collector the JVM picks on 2 cores and 24 GiB):
 * "G1 Young Generation" counts the young and mixed pauses, "G1 Old Generation" the full GCs, each
 * as the elapsed time of the stop-the-world pause. They miss the Remark and Cleanup pauses of G1's
 * concurrent cycle (JDK 20 adds a "G1 Concurrent GC" bean for those), the concurrent marking and
 * refinement threads' CPU, time to reach a safepoint, and the GC of any other JVM (an
 * out-of-process broker's). So the figure is a lower bound of the pauses, and says nothing about
 * the cores G1 takes from the application between pauses.
 */
final class GcMeter {

    /** Totals since the JVM started; subtract two with {@link #since}. */
    record Reading(long collections, long millis) {

        Reading since(Reading earlier) {
            return new Reading(collections - earlier.collections, millis - earlier.millis);
        }

        /** Pause time as a share of {@code wallSeconds} (0.05 is 5%). */
        double shareOf(double wallSeconds) {
            return wallSeconds <= 0 ? Double.NaN : millis / 1000.0 / wallSeconds;
        }
    }

    private GcMeter() {
    }

    static Reading now() {
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            // -1 means the collector does not report it; it adds nothing.
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new Reading(count, millis);
    }

    /** The names of the beans summed, for the benchmark's header. */
    static String collectors() {
        List<GarbageCollectorMXBean> beans = ManagementFactory.getGarbageCollectorMXBeans();
        return beans.stream().map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", "));
    }
}
