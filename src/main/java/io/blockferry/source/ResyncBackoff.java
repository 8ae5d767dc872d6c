package io.blockferry.source;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resyncs that Blockferry starts on its own (a rejection, a failed verification) back off: the
 * first goes at once, each further one for the same volume waits twice as long as the one before,
 * up to a maximum, until a generation of the volume is committed again. A deterministic rejection
 * therefore cannot loop at the full rate of the disk and the network.
 */
public final class ResyncBackoff implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ResyncBackoff.class);

    private final ResyncTrigger trigger;
    private final long firstDelayMillis;
    private final long maxDelayMillis;
    private final Map<String, Integer> attempts = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "resync-backoff");
        t.setDaemon(true);
        return t;
    });

    public ResyncBackoff(ResyncTrigger trigger, Duration firstDelay, Duration maxDelay) {
        this.trigger = trigger;
        this.firstDelayMillis = Math.max(1, firstDelay.toMillis());
        this.maxDelayMillis = Math.max(firstDelayMillis, maxDelay.toMillis());
    }

    /** Requests the resync now, or later when this volume was resynced on its own before. */
    public void request(SyncRequest request) {
        int attempt = attempts.merge(request.volumeId(), 1, Integer::sum);
        long delay = delayBefore(attempt);
        if (delay == 0) {
            trigger.request(request);
            return;
        }
        LOG.warn("Resync {} of {} since its last commit: waiting {} s before it", attempt, request.volumeId(),
                delay / 1000);
        timer.schedule(() -> trigger.request(request), delay, TimeUnit.MILLISECONDS);
    }

    /** The wait before the {@code attempt}-th resync (1 is the first). */
    long delayBefore(int attempt) {
        if (attempt <= 1) {
            return 0;
        }
        int doublings = Math.min(attempt - 2, 30);
        return Math.min(maxDelayMillis, firstDelayMillis << doublings);
    }

    /** A generation of the volume was committed: its next resync goes at once again. */
    public void reset(String volumeId) {
        attempts.remove(volumeId);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
