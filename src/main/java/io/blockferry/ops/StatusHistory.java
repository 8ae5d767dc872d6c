package io.blockferry.ops;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Throughput and RPO over the last hours, sampled in memory by the status-history route for the
 * status page's chart (Prometheus keeps the long history; this spares a small site running one).
 * Lost at a restart.
 */
public final class StatusHistory {

    /**
     * One sample.
     *
     * @param sentMegabytesPerSecond    changed bytes the source streamed per second since the previous sample
     * @param writtenMegabytesPerSecond data bytes the target committed per second since the previous sample
     * @param worstRpoSeconds           the age of the oldest newest-point among synced volumes, or null if none
     * @param rpoBreached               volumes in breach of their objective
     */
    public record Sample(long atMillis, double sentMegabytesPerSecond, double writtenMegabytesPerSecond,
                         Long worstRpoSeconds, int rpoBreached, int running, int queued) {
    }

    /** What a sample reads; a part this process does not run reads as nothing. */
    public interface Readings {
        /** Changed bytes streamed by the source since the last call. */
        long sentBytesSinceLast();

        /** Data bytes committed by the target so far. */
        long writtenBytesTotal();

        Long worstRpoSeconds();

        int rpoBreached();

        int running();

        int queued();
    }

    private final Readings readings;
    private final Clock clock;
    private final Duration interval;
    private final int capacity;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private long lastMillis;
    private long lastWritten;

    public StatusHistory(Readings readings, Clock clock, Duration interval, Duration span) {
        if (interval.isZero() || interval.isNegative() || span.compareTo(interval) < 0) {
            throw new IllegalArgumentException("the status history needs an interval (" + interval
                    + ") above zero and a span (" + span + ") of at least one interval");
        }
        this.readings = readings;
        this.clock = clock;
        this.interval = interval;
        this.capacity = (int) Math.min(100_000, span.toMillis() / interval.toMillis());
        this.lastMillis = clock.millis();
        this.lastWritten = readings.writtenBytesTotal();
    }

    public synchronized Sample sample() {
        long now = clock.millis();
        double seconds = Math.max(0.001, (now - lastMillis) / 1000.0);
        long written = readings.writtenBytesTotal();
        Sample s = new Sample(now, readings.sentBytesSinceLast() / 1e6 / seconds,
                Math.max(0, written - lastWritten) / 1e6 / seconds, readings.worstRpoSeconds(), readings.rpoBreached(),
                readings.running(), readings.queued());
        lastMillis = now;
        lastWritten = written;
        samples.addLast(s);
        while (samples.size() > capacity) {
            samples.removeFirst();
        }
        return s;
    }

    /** The samples, oldest first, with the interval they were taken at. */
    public synchronized Map<String, Object> history() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("intervalSeconds", interval.toMillis() / 1000.0);
        out.put("spanSeconds", capacity * interval.toMillis() / 1000);
        out.put("samples", new ArrayList<>(samples));
        return out;
    }
}
