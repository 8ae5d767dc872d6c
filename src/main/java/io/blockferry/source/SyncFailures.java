package io.blockferry.source;

import io.blockferry.events.Causes;
import io.blockferry.events.ChainBreak;
import io.blockferry.events.Event;
import io.blockferry.events.EventSink;
import io.blockferry.events.EventTypes;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a failed sync into the right event and recovery: the snapshot limit, a diff that failed
 * verification (a chain break, answered with a full resync), or any other failure. The failed
 * generation's snapshot is removed; the base is kept.
 */
public final class SyncFailures {

    private static final Logger LOG = LoggerFactory.getLogger(SyncFailures.class);

    private final GenerationPlanner planner;
    private final EventSink events;
    private final ResyncBackoff resync;
    private final boolean autoResync;

    public SyncFailures(GenerationPlanner planner, EventSink events, ResyncBackoff resync, boolean autoResync) {
        this.planner = planner;
        this.events = events;
        this.resync = resync;
        this.autoResync = autoResync;
    }

    /**
     * @param planned the generation whose snapshot was taken, or null when the sync failed before
     * @param stream  the generation being published, or null when the sync failed before it was streamed
     */
    public void onFailure(SyncRequest request, PlannedGeneration planned, ChunkStream stream, Exception failure) {
        String volumeId = stream != null ? stream.volumeId() : request != null ? request.volumeId() : "unknown";
        if (failure instanceof DiffInvalidException invalid) {
            planner.abandon(planned, stream, failure.getMessage(), ChainBreak.DIFF_INVALID);
            events.publish(Event.of(EventTypes.CHAIN_BREAK, volumeId, ChainBreak.DIFF_INVALID, Event.ERROR,
                    failure.getMessage() + (autoResync ? "; starting a resync" : "; a full resync is needed"),
                    Map.of("checked", invalid.checked())));
            if (autoResync) {
                // the abandoned generation left the cause in the volume's state: the next sync resyncs
                // (by checksum when configured and possible, else in full)
                resync.request(SyncRequest.incremental(volumeId, "resync:" + ChainBreak.DIFF_INVALID));
            }
            return;
        }
        if (failure instanceof ChainBrokenException broken) {
            String cause = broken.failureCause().wire();
            if (planned != null) {
                planner.abandon(planned, stream, failure.getMessage(), cause);
            }
            events.publish(Event.of(EventTypes.CHAIN_BREAK, volumeId, cause, Event.ERROR,
                    failure.getMessage() + (autoResync ? "; starting a resync" : "; a full resync is needed"),
                    Map.of()));
            if (autoResync) {
                resync.request(planned != null ? SyncRequest.incremental(volumeId, "resync:" + cause)
                        : SyncRequest.full(volumeId, cause));
            }
            return;
        }
        if (planned != null) {
            planner.abandon(planned, stream, failure.getMessage(), null);
        }
        if (failure instanceof VolumeMovedException) {
            LOG.info("Sync of {} handed over: {}", volumeId, failure.getMessage());
            return;
        }
        if (failure instanceof SourceBusyException) {
            // not the volume's failure: the work queue runs the task again when a slot frees
            LOG.warn("Sync of {} put back in the queue: {}", volumeId, failure.getMessage());
            return;
        }
        if (failure instanceof SnapshotLimitException limit) {
            events.publish(Event.of(EventTypes.SNAPSHOT_LIMIT, volumeId, Causes.SNAPSHOT_LIMIT.wire(), Event.ERROR,
                    failure.getMessage(), Map.of("count", limit.count(), "limit", limit.limit(),
                            "foreign", limit.foreign())));
        } else if (failure instanceof HookFailedException) {
            LOG.warn("Sync of {} aborted by its hook (hook-failed event published)", volumeId);
        } else if (failure instanceof SyncInProgressException) {
            LOG.warn("Sync of {} not started: {}", volumeId, failure.getMessage());
        } else {
            boolean retry = SyncFailedException.isTransient(failure) && request != null;
            events.publish(Event.of(EventTypes.SYNC_FAILED, volumeId, Causes.of(failure), Event.ERROR,
                    failure.getMessage() + (retry ? "; it may pass, so the sync is tried again (with backoff)" : ""),
                    Map.of()));
            if (retry) {
                resync.request(new SyncRequest(volumeId, request.full(), "retry:" + request.trigger(),
                        request.options()));
            }
        }
    }
}
