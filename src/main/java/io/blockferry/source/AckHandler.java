package io.blockferry.source;

import io.blockferry.transport.GenerationAck;
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
    private final SyncWaiters waiters;

    public AckHandler(VolumeStateStore store, SnapshotCleaner cleaner, SyncWaiters waiters) {
        this.store = store;
        this.cleaner = cleaner;
        this.waiters = waiters;
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
            cleaner.removeOwnExcept(ref, ack.snapshot());
            LOG.info("Volume {} generation {} committed on the target; base is now {}", ack.volumeId(),
                    ack.generation(), ack.snapshot());
        } else {
            cleaner.removeIfPresent(ref, ack.snapshot());
            store.dropPending(ack.volumeId(), ack.reason(), "target-missing-base".equals(ack.cause()) ? ack.cause() : null);
            LOG.error("Volume {} generation {} was rejected by the target ({}): {}. The base stays {}.",
                    ack.volumeId(), ack.generation(), ack.cause(), ack.reason(), state.baseSnapshot());
        }
        waiters.complete(ack);
    }
}
