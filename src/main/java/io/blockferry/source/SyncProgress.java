package io.blockferry.source;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The syncs running now, with how far each has got; read by the progress log and the REST API. */
public final class SyncProgress {

    /** One running sync's progress. {@code etaSeconds} is null until a rate is known. */
    public record Snapshot(String volumeId, long generation, String mode, long bytesDone, long bytesTotal,
                           double megabytesPerSecond, Long etaSeconds, long runningSeconds) {
    }

    /** A sync's counter, updated by the reader as records are produced. */
    public static final class Tracker {
        private final String volumeId;
        private final long generation;
        private final String mode;
        private final long total;
        private final long startedNanos = System.nanoTime();
        private final AtomicLong done = new AtomicLong();

        Tracker(String volumeId, long generation, String mode, long total) {
            this.volumeId = volumeId;
            this.generation = generation;
            this.mode = mode;
            this.total = total;
        }

        public void add(long bytes) {
            done.addAndGet(bytes);
        }

        Snapshot snapshot() {
            double seconds = Math.max(1e-3, (System.nanoTime() - startedNanos) / 1e9);
            long bytes = done.get();
            double rate = bytes / seconds;
            Long eta = rate > 0 ? (long) Math.ceil(Math.max(0, total - bytes) / rate) : null;
            return new Snapshot(volumeId, generation, mode, bytes, total, rate / 1e6, eta, (long) seconds);
        }
    }

    private final Map<String, Tracker> running = new ConcurrentHashMap<>();

    public Tracker start(String volumeId, long generation, String mode, long totalBytes) {
        Tracker tracker = new Tracker(volumeId, generation, mode, totalBytes);
        running.put(volumeId, tracker);
        return tracker;
    }

    public void finish(String volumeId) {
        running.remove(volumeId);
    }

    public List<Snapshot> running() {
        Collection<Tracker> trackers = running.values();
        return trackers.stream().map(Tracker::snapshot).toList();
    }
}
