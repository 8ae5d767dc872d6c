package io.blockferry.ops;

import io.blockferry.source.SyncProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs every running sync's progress; the progress-log route calls it on an interval. */
public final class ProgressLog {

    private static final Logger LOG = LoggerFactory.getLogger(ProgressLog.class);

    private final SyncProgress progress;

    public ProgressLog(SyncProgress progress) {
        this.progress = progress;
    }

    public void log() {
        for (SyncProgress.Snapshot s : progress.running()) {
            LOG.info("Volume {} generation {} ({}): {} of {} MiB ({}%), {} MB/s, ETA {}", s.volumeId(), s.generation(),
                    s.mode(), s.bytesDone() >> 20, s.bytesTotal() >> 20,
                    s.bytesTotal() == 0 ? 100 : 100 * s.bytesDone() / s.bytesTotal(),
                    String.format("%.1f", s.megabytesPerSecond()),
                    s.etaSeconds() == null ? "unknown" : s.etaSeconds() + " s");
        }
    }
}
