package io.blockferry.demo;

import io.blockferry.BlockferryRuntime;
import io.blockferry.config.Settings;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncRequest;
import io.blockferry.transport.GenerationAck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Everything the benchmark asks of {@link BlockferryRuntime}, in one class: when the data path's
 * redesign renames a runtime method, this is the file that changes.
 */
final class BenchRuntime implements AutoCloseable {

    /** One generation, timed from the sync request to the target's ack reaching the source. */
    record Synced(String volumeId, String mode, long dataBytes, double seconds, String snapshot) {
    }

    /** Why a wait should stop early (an OutOfMemoryError seen in the JVM), or null to go on waiting. */
    interface Abandon {
        String reason();
    }

    private final BlockferryRuntime runtime;
    private final StallWatch stalls;
    private final io.blockferry.target.Repository repository;

    private BenchRuntime(BlockferryRuntime runtime, StallWatch stalls, io.blockferry.target.Repository repository) {
        this.runtime = runtime;
        this.stalls = stalls;
        this.repository = repository;
    }

    /** Starts Blockferry; a sync that stops moving for {@code stall} is given up on. */
    static BenchRuntime start(Settings settings, Duration stall) {
        BlockferryRuntime runtime = BlockferryRuntime.start(settings);
        try {
            return new BenchRuntime(runtime, new StallWatch(runtime.bootstrapServers(),
                    io.blockferry.transport.KafkaClientConfig.from(settings),
                    settings.text("blockferry.kafka.chunk-topic"), settings.text("blockferry.kafka.target-group"), stall),
                    // a source alone: the replicas are in the repository its writers (other processes) share
                    runtime.writer() != null ? runtime.writer().repository()
                            : new io.blockferry.target.Repository(settings.path("blockferry.target.repository-dir")));
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    String bootstrapServers() {
        return runtime.bootstrapServers();
    }

    /** The target's replica file of a volume. */
    Path replica(String volumeId) {
        return repository.replica(volumeId);
    }

    /**
     * Syncs a volume and waits for the target's ack. The clock starts before the request, so the
     * snapshot and the diff pass before the first record are timed too (GenerationReport's own
     * clock starts at the first record).
     */
    Synced sync(String volumeId, boolean full, Duration timeout, Abandon abandon) {
        long start = System.nanoTime();
        stalls.progressed();
        GenerationReport report = runtime.sync(full ? SyncRequest.full(volumeId, "benchmark")
                : SyncRequest.incremental(volumeId, "benchmark"));
        awaitAck(report, start + timeout.toNanos(), () -> {
            String reason = abandon.reason();
            return reason != null ? reason : stalls.reason();
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        report.awaitCommitted(Duration.ofSeconds(1)); // already answered: this throws if it was a rejection
        return new Synced(volumeId, report.mode().name().toLowerCase(), report.dataBytes(), seconds, report.snapshot());
    }

    /**
     * Waits until the source holds the target's chunk sums of the volume's newest point (they are
     * published after the commit), so the next chain break can be resynced by checksum.
     */
    void awaitChunkSums(String volumeId, long size, Duration timeout) throws InterruptedException {
        long newest = runtime.writer().catalog().latest(volumeId).orElseThrow().generation();
        io.blockferry.source.TargetChunkSums sums = runtime.camelContext().getRegistry()
                .lookupByNameAndType("targetChunkSums", io.blockferry.source.TargetChunkSums.class);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            io.blockferry.source.TargetChunkSums.Lookup found = sums.find(volumeId, size, Integer.MAX_VALUE);
            if (found.usable() && found.generation() == newest) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the target's chunk sums of " + volumeId + " at generation " + newest
                        + " did not reach the source within " + timeout + ": " + found.whyNot());
            }
            Thread.sleep(100);
        }
    }

    /** Waits in short slices, so an OOM elsewhere in the JVM ends the wait instead of the timeout. */
    private static void awaitAck(GenerationReport report, long deadline, Abandon abandon) {
        while (true) {
            try {
                GenerationAck ignored = report.ack().get(200, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException e) {
                String reason = abandon.reason();
                if (reason != null) {
                    throw new IllegalStateException("gave up waiting for the ack of " + report.volumeId() + ": "
                            + reason);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no ack for " + report.volumeId() + " generation "
                            + report.generation() + " within the benchmark's --timeout");
                }
            } catch (ExecutionException e) {
                return; // awaitCommitted reports the failure
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the ack of " + report.volumeId());
            }
        }
    }

    @Override
    public void close() {
        stalls.close();
        runtime.close();
    }
}
