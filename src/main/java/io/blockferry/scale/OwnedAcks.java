package io.blockferry.scale;

import io.blockferry.source.AckHandler;
import io.blockferry.transport.GenerationAck;
import java.util.Collection;

/**
 * The source's ack handling when the proxies of a site share the work: an ack of a volume this
 * proxy owns is acted on, any other is kept for the volume's next owner ({@link UnclaimedAcks}).
 * Taking volumes over holds the same lock, so an ack is either kept before the take, and applied
 * by it, or acted on after it.
 */
public final class OwnedAcks {

    private final AckHandler handler;
    private final VolumeOwnership ownership;
    private final UnclaimedAcks unclaimed;

    public OwnedAcks(AckHandler handler, VolumeOwnership ownership, UnclaimedAcks unclaimed) {
        this.handler = handler;
        this.ownership = ownership;
        this.unclaimed = unclaimed;
    }

    /** The ack-consume route's bean method, as {@link AckHandler#onAck}. */
    public synchronized void onAck(GenerationAck ack) {
        if (ownership.owns(ack.volumeId())) {
            handler.onAck(ack);
        } else {
            unclaimed.keep(ack);
        }
    }

    /**
     * Takes partitions over: {@code restore} puts their volumes' state in place, then they are owned,
     * then the acks kept for {@code volumes} (those restored) are applied.
     */
    synchronized void takeOver(Collection<Integer> partitions, java.util.function.Supplier<Collection<String>> restore) {
        Collection<String> volumes = restore.get();
        ownership.gained(partitions);
        for (String volumeId : volumes) {
            unclaimed.take(volumeId).ifPresent(handler::onAck);
        }
    }
}
