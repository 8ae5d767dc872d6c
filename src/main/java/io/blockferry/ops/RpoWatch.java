package io.blockferry.ops;

import io.blockferry.events.Causes;
import io.blockferry.events.Event;
import io.blockferry.events.EventSink;
import io.blockferry.events.EventTypes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Measures volumes against their recovery-point objectives. A volume whose newest acked point is
 * older than its policy's {@code rpo} is in breach: {@code rpo-missed} is published once when the
 * breach begins and {@code rpo-restored} once when it ends (a newer point was acked, or the
 * objective was loosened or removed). The breach state is durable, so a restart announces nothing
 * twice. A volume without any acked point yet is measured from when it was first watched.
 */
public final class RpoWatch {

    /** A volume with an objective: its policy's {@code rpo}, and when its newest point was acked (0: none yet). */
    public record Watched(String volumeId, String policy, Duration objective, long ackedAtMillis) {
    }

    private final RpoStore store;
    private final EventSink events;
    private final Clock clock;
    private volatile List<RpoStatus> last = List.of();

    public RpoWatch(RpoStore store, EventSink events, Clock clock) {
        this.store = store;
        this.events = events;
        this.clock = clock;
    }

    /** Measures every volume that has an objective now; volumes missing from the list have none any more. */
    public synchronized List<RpoStatus> check(List<Watched> volumes) {
        long now = clock.millis();
        Set<String> watched = new HashSet<>();
        List<RpoStatus> out = new ArrayList<>();
        for (Watched w : volumes) {
            watched.add(w.volumeId());
            out.add(measure(w, store.watch(w.volumeId(), now), now));
        }
        for (String volumeId : store.volumes()) {
            if (!watched.contains(volumeId)) {
                store.find(volumeId).filter(RpoStore.Row::breached).ifPresent(row -> events.publish(Event.of(
                        EventTypes.RPO_RESTORED, volumeId, "objective-removed", Event.INFO, "volume " + volumeId
                                + " has no recovery-point objective any more (its policy is gone or sets no rpo); "
                                + "its breach of " + Ages.text(Duration.ofMillis(now - row.breachedSinceMillis()))
                                + " is no longer tracked", Map.of())));
                store.forget(volumeId);
            }
        }
        last = List.copyOf(out);
        return last;
    }

    /** The statuses of the last check. */
    public List<RpoStatus> statuses() {
        return last;
    }

    private RpoStatus measure(Watched w, RpoStore.Row row, long now) {
        boolean acked = w.ackedAtMillis() > 0;
        long since = acked ? w.ackedAtMillis() : row.watchedSinceMillis();
        long age = Math.max(0, now - since);
        long objective = w.objective().toMillis();
        boolean breached = age > objective;
        long breachedSince = row.breachedSinceMillis();
        if (breached && !row.breached()) {
            // the breach began when the point outgrew the objective, even if this check comes later
            breachedSince = Math.max(1, since + objective);
            store.breached(w.volumeId(), breachedSince);
            events.publish(missed(w, acked, age));
        } else if (!breached && row.breached()) {
            store.restored(w.volumeId());
            events.publish(restored(w, row, acked, age, now));
            breachedSince = 0;
        }
        return new RpoStatus(w.volumeId(), w.policy(), w.objective().toSeconds(), age / 1000,
                acked ? Instant.ofEpochMilli(w.ackedAtMillis()).toString() : null, breached,
                breached ? Instant.ofEpochMilli(breachedSince).toString() : null);
    }

    private static Event missed(Watched w, boolean acked, long age) {
        String what = acked ? "its newest acked recovery point is " + Ages.text(Duration.ofMillis(age)) + " old"
                : "it has had no acked recovery point for " + Ages.text(Duration.ofMillis(age));
        return Event.of(EventTypes.RPO_MISSED, w.volumeId(), (acked ? Causes.POINT_TOO_OLD : Causes.NO_POINT_YET).wire(), Event.ERROR,
                "volume " + w.volumeId() + " missed its recovery-point objective of " + Ages.text(w.objective())
                        + " (policy " + w.policy() + "): " + what + "; see its syncs with 'blockferry tasks' and "
                        + "the sync-failed, queue-timeout and chain-break events", counts(w, age));
    }

    private static Event restored(Watched w, RpoStore.Row row, boolean acked, long age, long now) {
        boolean newPoint = acked && w.ackedAtMillis() >= row.breachedSinceMillis();
        Map<String, Long> counts = new java.util.HashMap<>(counts(w, age));
        counts.put("breachSeconds", (now - row.breachedSinceMillis()) / 1000);
        return Event.of(EventTypes.RPO_RESTORED, w.volumeId(), newPoint ? "point-acked" : "objective-changed",
                Event.INFO, "volume " + w.volumeId() + " is within its recovery-point objective of "
                        + Ages.text(w.objective()) + " again (policy " + w.policy() + "), after a breach of "
                        + Ages.text(Duration.ofMillis(now - row.breachedSinceMillis())) + "; its newest point is "
                        + Ages.text(Duration.ofMillis(age)) + " old", counts);
    }

    private static Map<String, Long> counts(Watched w, long age) {
        return Map.of("objectiveSeconds", w.objective().toSeconds(), "rpoSeconds", age / 1000);
    }
}
