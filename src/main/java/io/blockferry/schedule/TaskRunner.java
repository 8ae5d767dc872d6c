package io.blockferry.schedule;

import io.blockferry.source.GenerationReport;
import java.util.Optional;
import java.util.function.BiFunction;
import io.blockferry.source.SyncFailedException;
import io.blockferry.transport.GenerationAck;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Holds a task's slot until the target has answered its generation: a disk is in flight from
 * its snapshot until its ack, so the caps count what the target still has to absorb. A stopping
 * proxy stops waiting at once (the task is queued again at the next start).
 */
public final class TaskRunner implements AutoCloseable {

    private final Duration ackTimeout;
    private final BiFunction<String, Long, Optional<GenerationReport>> interrupted;
    private final CompletableFuture<Void> stopping = new CompletableFuture<>();

    /**
     * @param interrupted what became of a volume's generation since a sync that started at the given
     *                    time was interrupted by a restart: its report to wait on, or empty to sync anew
     */
    public TaskRunner(Duration ackTimeout, BiFunction<String, Long, Optional<GenerationReport>> interrupted) {
        this.ackTimeout = ackTimeout;
        this.interrupted = interrupted;
    }

    /**
     * For a task a restart interrupted: the generation it had published (its ack is awaited, it is
     * not sent again), or the one committed meanwhile (nothing left to do); null when the task
     * must sync anew, as every other task does.
     */
    public GenerationReport resume(SyncTask task) {
        if (task.interruptedAtMillis() == null) {
            return null;
        }
        return interrupted.apply(task.volumeId(), task.interruptedAtMillis()).orElse(null);
    }

    public GenerationAck awaitAck(GenerationReport report) {
        try {
            CompletableFuture.anyOf(report.ack(), stopping).get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new SyncFailedException(report.volumeId() + " generation " + report.generation() + ": no ack from "
                    + "the target within " + ackTimeout.toSeconds() + " s (blockferry.source.ack-timeout-seconds): "
                    + "check that a Blockferry target is running and consuming the chunk topic");
        } catch (ExecutionException e) {
            // The ack future failed: awaitCommitted below reports why.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!report.ack().isDone()) {
            throw new SyncFailedException("Blockferry is stopping before the ack of " + report.volumeId()
                    + " generation " + report.generation() + ": the task is queued again at the next start");
        }
        return report.awaitCommitted(Duration.ofSeconds(1));
    }

    @Override
    public void close() {
        stopping.complete(null);
    }
}
