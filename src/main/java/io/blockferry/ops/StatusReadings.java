package io.blockferry.ops;

import io.blockferry.schedule.WorkQueue;
import io.blockferry.source.SyncProgress;
import io.blockferry.source.VolumeState;
import io.blockferry.source.VolumeStateStore;
import java.util.List;

/**
 * The history's readings of a running Blockferry. Each part is null when this process does not
 * run it (a target has no progress, states, RPO check or queue).
 */
public final class StatusReadings implements StatusHistory.Readings {

    private final BlockferryMetrics metrics;
    private final SyncProgress progress;
    private final VolumeStateStore states;
    private final RpoCheck rpo;
    private final WorkQueue queue;

    public StatusReadings(BlockferryMetrics metrics, SyncProgress progress, VolumeStateStore states, RpoCheck rpo,
                          WorkQueue queue) {
        this.metrics = metrics;
        this.progress = progress;
        this.states = states;
        this.rpo = rpo;
        this.queue = queue;
    }

    @Override
    public long sentBytesSinceLast() {
        return metrics.sentBytes().take(progress == null ? List.of() : progress.running());
    }

    @Override
    public long writtenBytesTotal() {
        return metrics.writtenBytesTotal();
    }

    @Override
    public Long worstRpoSeconds() {
        if (states == null) {
            return null;
        }
        long now = System.currentTimeMillis();
        return states.all().stream().mapToLong(VolumeState::baseAckedAtMillis).filter(t -> t > 0)
                .map(t -> Math.max(0, now - t) / 1000).max().stream().boxed().findFirst().orElse(null);
    }

    @Override
    public int rpoBreached() {
        return rpo == null ? 0 : (int) rpo.statuses().stream().filter(RpoStatus::breached).count();
    }

    @Override
    public int running() {
        return queue == null ? 0 : queue.running().size();
    }

    @Override
    public int queued() {
        return queue == null ? 0 : queue.depth();
    }
}
