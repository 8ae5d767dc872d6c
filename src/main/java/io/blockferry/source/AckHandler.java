package io.blockferry.source;

import io.blockferry.events.ChainBreak;
import io.blockferry.events.Event;
import io.blockferry.events.EventSink;
import io.blockferry.events.EventTypes;
import io.blockferry.transport.GenerationAck;
import io.blockferry.transport.SyncMode;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts on the target's answer to a generation. Only a COMMITTED ack moves the base to the new
 * snapshot; only then are Blockferry's older snapshots of that volume removed.
 */
public final class AckHandler {

    private static final Logger LOG = LoggerFactory.getLogger(AckHandler.class);

    private final VolumeStateStore store;
    private final SnapshotCleaner cleaner;
    private final SourceManifests manifests;
    private final SyncWaiters waiters;
    private final EventSink events;
    private final ChainHints hints;

    public AckHandler(VolumeStateStore store, SnapshotCleaner cleaner, SourceManifests manifests, SyncWaiters waiters,
                      EventSink events, ChainHints hints) {
        this.hints = hints;
        this.store = store;
        this.cleaner = cleaner;
        this.manifests = manifests;
        this.waiters = waiters;
        this.events = events;
    }

    public void onAck(GenerationAck ack) {
        VolumeState state = store.find(ack.volumeId()).orElse(null);
        if (state == null || state.pendingGeneration() != ack.generation()) {
            LOG.debug("Ignoring ack of {} generation {}: not the generation in flight", ack.volumeId(), ack.generation());
            waiters.complete(ack);
            return;
        }
        VolumeRef ref = VolumeRef.parse(ack.volumeId());
        if (ack.committed()) {
            store.promotePending(ack.volumeId());
            hints.acked(ack.volumeId(), ack.generation());
            cleaner.keepNewest(ref, ack.snapshot(), store.keepSnapshots(ack.volumeId()));
            if (SyncMode.FULL.name().equals(ack.mode())) {
                manifests.restartChainAt(ack.volumeId(), ack.generation());
            }
            LOG.info("Volume {} generation {} committed on the target; base is now {}", ack.volumeId(),
                    ack.generation(), ack.snapshot());
        } else {
            cleaner.removeIfPresent(ref, ack.snapshot());
            manifests.discard(ack.volumeId(), ack.generation());
            boolean chainBreak = ChainBreak.isChainBreak(ack.cause());
            store.dropPending(ack.volumeId(), ack.reason(), chainBreak ? ack.cause() : null);
            if (chainBreak) {
                events.publish(Event.of(EventTypes.CHAIN_BREAK, ack.volumeId(), ack.cause(), Event.WARN,
                        ack.reason() + "; the next sync is a full resync", Map.of("generation", ack.generation())));
            }
            LOG.error("Volume {} generation {} was rejected by the target ({}): {}. The base stays {}.",
                    ack.volumeId(), ack.generation(), ack.cause(), ack.reason(), state.baseSnapshot());
        }
        waiters.complete(ack);
    }
}
