package io.blockferry.scale;

import io.blockferry.schedule.WorkQueue;
import io.blockferry.source.SyncFailedException;
import io.blockferry.source.SyncWaiters;
import io.blockferry.source.VolumeState;
import io.blockferry.source.VolumeStateStore;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a proxy does when task partitions move. Taking one over: read its volumes' state from the
 * state topic, put it in place of whatever this proxy had, own them, apply the acks kept for them.
 * Losing one: stop owning its volumes first (their state, snapshots and chunk records are no
 * longer touched: see {@link VolumeOwnership}), hand back their waiting tasks, let their running
 * syncs stop (a stream in flight is cut, an ack wait ends; the new owner settles what they left as
 * a restarted proxy does), then forget them.
 */
final class Handover {

    private static final Logger LOG = LoggerFactory.getLogger(Handover.class);

    private final VolumeStateStore states;
    private final SourceStateChangelog changelog;
    private final OwnedAcks acks;
    private final VolumeOwnership ownership;
    private final WorkQueue queue;
    private final SyncWaiters waiters;
    private final Duration stopTimeout;

    /** @param stopTimeout how long a lost volume's running sync may take to stop before the handover goes on */
    Handover(VolumeStateStore states, SourceStateChangelog changelog, OwnedAcks acks, VolumeOwnership ownership,
             WorkQueue queue, SyncWaiters waiters, Duration stopTimeout) {
        this.states = states;
        this.changelog = changelog;
        this.acks = acks;
        this.ownership = ownership;
        this.queue = queue;
        this.waiters = waiters;
        this.stopTimeout = stopTimeout;
    }

    void take(Collection<Integer> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        acks.takeOver(partitions, () -> {
            Map<String, Map<String, Object>> rows = changelog.restore(partitions);
            Predicate<String> taken = volumeId -> partitions.contains(ownership.partitionOf(volumeId));
            for (VolumeState stale : states.all()) {
                if (taken.test(stale.volumeId()) && !rows.containsKey(stale.volumeId())) {
                    states.forget(stale.volumeId());
                }
            }
            rows.values().forEach(states::restore);
            LOG.info("This proxy owns task partitions {} now: {} volume(s) continue from the state their last owner "
                    + "wrote", partitions, rows.size());
            return rows.keySet();
        });
    }

    void leave(Collection<Integer> partitions, boolean lost) {
        if (partitions.isEmpty()) {
            return;
        }
        ownership.lost(partitions);
        Predicate<String> leaving = volumeId -> partitions.contains(ownership.partitionOf(volumeId));
        Set<String> running = queue.release(leaving);
        for (VolumeState s : states.all()) {
            if (leaving.test(s.volumeId()) && s.hasPending()) {
                waiters.fail(s.volumeId(), s.pendingGeneration(), new SyncFailedException("volume " + s.volumeId()
                        + " moved to another proxy of the site, which waits for generation " + s.pendingGeneration()
                        + " now"));
            }
        }
        long deadline = System.nanoTime() + stopTimeout.toNanos();
        while (!running.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            running = queue.release(leaving);
        }
        if (!running.isEmpty()) {
            LOG.warn("The syncs of {} did not stop within {} s of losing their partitions; they can no longer write "
                    + "state or chunk records, and the new owner settles their generations", running,
                    stopTimeout.toSeconds());
        }
        for (VolumeState s : states.all()) {
            if (leaving.test(s.volumeId())) {
                states.forget(s.volumeId());
            }
        }
        LOG.info("Task partitions {} {} this proxy; their volumes go to another proxy of the site", partitions,
                lost ? "were lost by (its group session ended)" : "were moved away from");
    }
}
