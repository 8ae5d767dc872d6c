package io.blockferry.source;

import io.blockferry.events.Causes;
import io.blockferry.events.ChainBreak;
import io.blockferry.events.Event;
import io.blockferry.events.EventSink;
import io.blockferry.events.EventTypes;
import io.blockferry.transport.GenerationAck;
import io.blockferry.transport.SyncMode;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts on the target's answer to a generation. Only a COMMITTED ack for exactly the pending
 * generation and snapshot moves the base; only once that is durable are Blockferry's older
 * snapshots of the volume removed. A rejection removes the pending snapshot only when it is
 * Blockferry's and the one pending. Any other ack (a duplicate, a stale or foreign one) changes
 * nothing.
 */
public final class AckHandler {

    /** The target has already used this volume's generation number for another snapshot. */
    public static final String GENERATION_REUSED = Causes.GENERATION_REUSED.wire();

    private static final Logger LOG = LoggerFactory.getLogger(AckHandler.class);

    private final VolumeStateStore store;
    private final SnapshotCleaner cleaner;
    private final SourceManifests manifests;
    private final SyncWaiters waiters;
    private final EventSink events;
    private final ChainHints hints;
    private final ResyncBackoff backoff;

    public AckHandler(VolumeStateStore store, SnapshotCleaner cleaner, SourceManifests manifests, SyncWaiters waiters,
                      EventSink events, ChainHints hints, ResyncBackoff backoff) {
        this.hints = hints;
        this.backoff = backoff;
        this.store = store;
        this.cleaner = cleaner;
        this.manifests = manifests;
        this.waiters = waiters;
        this.events = events;
    }

    public void onAck(GenerationAck ack) {
        VolumeState state = store.find(ack.volumeId()).orElse(null);
        if (state == null) {
            LOG.info("Ignoring ack of {} generation {}: this source does not sync that volume", ack.volumeId(),
                    ack.generation());
            return;
        }
        if (!ack.committed() && GENERATION_REUSED.equals(ack.cause()) && ack.latestGeneration() > 0) {
            store.raiseGeneration(ack.volumeId(), ack.latestGeneration());
        }
        boolean pending = state.hasPending() && state.pendingGeneration() == ack.generation()
                && Objects.equals(state.pendingSnapshot(), ack.snapshot());
        if (!pending) {
            boolean alreadyBase = ack.committed() && state.baseGeneration() == ack.generation()
                    && Objects.equals(state.baseSnapshot(), ack.snapshot());
            if (alreadyBase) {
                waiters.complete(ack);
            }
            LOG.info("Ignoring ack of {} generation {} ({}, snapshot {}): {}", ack.volumeId(), ack.generation(),
                    ack.status(), ack.snapshot(), alreadyBase ? "already acted on"
                            : "not the generation in flight (" + (state.hasPending() ? "generation "
                            + state.pendingGeneration() + ", snapshot " + state.pendingSnapshot() : "none") + ")");
            return;
        }
        String ref = ack.volumeId();
        if (ack.committed()) {
            if (store.promotePending(ack.volumeId(), ack.generation(), ack.snapshot())) {
                hints.acked(ack.volumeId(), ack.generation());
                backoff.reset(ack.volumeId());
                cleaner.keepNewest(ref, ack.snapshot(), store.keepSnapshots(ack.volumeId()));
                if (SyncMode.FULL.name().equals(ack.mode())) {
                    manifests.restartChainAt(ack.volumeId(), ack.generation());
                } else {
                    manifests.compact(ack.volumeId(), ack.generation(), SourceManifests.CHAIN_LIMIT);
                }
                LOG.info("Volume {} generation {} committed on the target; base is now {}", ack.volumeId(),
                        ack.generation(), ack.snapshot());
            }
        } else {
            cleaner.removeOwnIfPresent(ref, ack.snapshot());
            manifests.discard(ack.volumeId(), ack.generation());
            boolean chainBreak = ChainBreak.isChainBreak(ack.cause());
            store.dropPending(ack.volumeId(), ack.generation(), ack.reason(), chainBreak ? ack.cause() : null);
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
