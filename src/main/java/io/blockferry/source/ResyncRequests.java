package io.blockferry.source;

import io.blockferry.events.ChainBreak;
import io.blockferry.events.Event;
import io.blockferry.events.EventTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts on a target's {@code resync-requested} event: a chain-break cause (the target lost or
 * corrupted its copy) makes the next sync full; any other (a chunk damaged in transit) resends
 * an incremental from the base, which the target still has. Repeated requests back off
 * ({@link ResyncBackoff}).
 */
public final class ResyncRequests {

    private static final Logger LOG = LoggerFactory.getLogger(ResyncRequests.class);

    private final VolumeStateStore store;
    private final ResyncBackoff trigger;

    public ResyncRequests(VolumeStateStore store, ResyncBackoff trigger) {
        this.store = store;
        this.trigger = trigger;
    }

    public void onEvent(Event event) {
        if (!EventTypes.RESYNC_REQUESTED.equals(event.type()) || store.find(event.volumeId()).isEmpty()) {
            return;
        }
        boolean full = ChainBreak.isChainBreak(event.cause());
        if (full) {
            store.requireFull(event.volumeId(), event.cause());
        }
        LOG.warn("The target asked for a resync of {} ({}): starting a {} sync", event.volumeId(), event.cause(),
                full ? "full" : "incremental");
        trigger.request(new SyncRequest(event.volumeId(), false, "resync-requested:" + event.cause()));
    }
}
