package io.blockferry.source;

import io.blockferry.transport.GenerationAck;
import java.util.concurrent.CompletableFuture;

/**
 * A generation whose snapshot exists and which the source state records as pending: what the
 * planner decided before any data is read. The post-snapshot hook (a guest thaw) runs right after
 * it is made, before the changed blocks are listed.
 */
public record PlannedGeneration(SyncRequest request, long generation, ChainDecision.Plan plan, String snapshot,
                                String imageId, CompletableFuture<GenerationAck> ack) {

    public String volumeId() {
        return request.volumeId();
    }
}
