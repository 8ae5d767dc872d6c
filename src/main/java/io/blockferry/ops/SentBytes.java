package io.blockferry.ops;

import io.blockferry.source.SyncProgress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The changed bytes the source streamed between two samples of the history: live from the running
 * syncs' progress, and made exact when each generation is published (its last bytes may fall
 * after the last sample that saw it running). A generation that failed is dropped after a few
 * samples; only what it had read is counted.
 */
public final class SentBytes {

    private static final int SAMPLES_BEFORE_GIVING_UP = 3;

    private final Map<String, Long> counted = new HashMap<>();
    private final Map<String, Long> published = new HashMap<>();
    private final Map<String, Integer> vanished = new HashMap<>();

    /** A generation was published with {@code bytes} changed bytes (data and zero ranges). */
    public synchronized void published(String volumeId, long generation, long bytes) {
        published.put(key(volumeId, generation), bytes);
    }

    /** The bytes streamed since the last call. */
    public synchronized long take(List<SyncProgress.Snapshot> running) {
        long delta = 0;
        Set<String> now = new HashSet<>();
        for (SyncProgress.Snapshot s : running) {
            String key = key(s.volumeId(), s.generation());
            now.add(key);
            long before = counted.getOrDefault(key, 0L);
            if (s.bytesDone() > before) {
                delta += s.bytesDone() - before;
                counted.put(key, s.bytesDone());
            }
        }
        for (Iterator<Map.Entry<String, Long>> it = counted.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> e = it.next();
            if (now.contains(e.getKey())) {
                continue;
            }
            Long total = published.remove(e.getKey());
            if (total != null) {
                delta += Math.max(0, total - e.getValue());
            }
            if (total != null || vanished.merge(e.getKey(), 1, Integer::sum) >= SAMPLES_BEFORE_GIVING_UP) {
                vanished.remove(e.getKey());
                it.remove();
            }
        }
        // generations that began and ended between two samples
        for (Map.Entry<String, Long> e : published.entrySet()) {
            delta += e.getValue();
        }
        published.clear();
        return delta;
    }

    private static String key(String volumeId, long generation) {
        return volumeId + "#" + generation;
    }
}
