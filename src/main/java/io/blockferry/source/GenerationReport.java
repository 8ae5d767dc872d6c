package io.blockferry.source;

import io.blockferry.transport.GenerationAck;
import io.blockferry.transport.SyncMode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A generation that was published in full, and the future of its ack. */
public record GenerationReport(String volumeId, long generation, SyncMode mode, String cause, String snapshot,
                               String baseSnapshot, long imageSize, long dataChunks, long zeroChunks, long dataBytes,
                               long zeroBytes, long startNanos, CompletableFuture<GenerationAck> ack) {

    /** Waits for the target's answer; a rejection becomes a {@link SyncFailedException}. */
    public GenerationAck awaitCommitted(Duration timeout) {
        GenerationAck answer;
        try {
            answer = ack.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new SyncFailedException(volumeId + " generation " + generation + ": no ack from the target within "
                    + timeout.toSeconds() + " s: check that a Blockferry target is running and consuming the chunk topic");
        } catch (ExecutionException e) {
            throw new SyncFailedException(volumeId + " generation " + generation + " failed: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SyncFailedException("interrupted while waiting for the ack of " + volumeId);
        }
        if (!answer.committed()) {
            throw new SyncFailedException(volumeId + " generation " + generation + " was rejected by the target ("
                    + answer.cause() + "): " + answer.reason());
        }
        return answer;
    }

    /** Seconds from the first record read to now. */
    public double secondsSinceStart() {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
