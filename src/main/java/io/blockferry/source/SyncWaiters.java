package io.blockferry.source;

import io.blockferry.transport.GenerationAck;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** Futures completed by the target's ack of a generation, for callers that wait for a sync to land. */
public final class SyncWaiters {

    private final Map<String, CompletableFuture<GenerationAck>> waiting = new ConcurrentHashMap<>();

    public CompletableFuture<GenerationAck> register(String volumeId, long generation) {
        return waiting.computeIfAbsent(key(volumeId, generation), k -> new CompletableFuture<>());
    }

    public void complete(GenerationAck ack) {
        CompletableFuture<GenerationAck> future = waiting.remove(key(ack.volumeId(), ack.generation()));
        if (future != null) {
            future.complete(ack);
        }
    }

    public void fail(String volumeId, long generation, Throwable cause) {
        CompletableFuture<GenerationAck> future = waiting.remove(key(volumeId, generation));
        if (future != null) {
            future.completeExceptionally(cause);
        }
    }

    private static String key(String volumeId, long generation) {
        return volumeId + "#" + generation;
    }
}
