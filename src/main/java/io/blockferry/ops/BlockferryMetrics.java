package io.blockferry.ops;

import io.blockferry.events.Event;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.VolumeState;
import io.blockferry.source.VolumeStateStore;
import io.blockferry.transport.GenerationAck;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.IntSupplier;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Blockferry's own Prometheus series, fed from the routes: bytes and chunks sent and written,
 * generations by outcome, events by type, the recovery-point age (RPO) of each volume, and the
 * work queue's depth and wait time.
 */
public final class BlockferryMetrics {

    private final Supplier<MeterRegistry> registry;
    private final VolumeStateStore states;
    private final Set<String> rpoGauges = ConcurrentHashMap.newKeySet();

    /** @param states the source's volume state, for RPO gauges; null in a target-only process */
    public BlockferryMetrics(Supplier<MeterRegistry> registry, VolumeStateStore states) {
        this.registry = registry;
        this.states = states;
    }

    public void published(GenerationReport report) {
        MeterRegistry r = registry.get();
        String mode = report.mode().name().toLowerCase();
        r.counter("blockferry_sent_bytes", "mode", mode).increment(report.dataBytes());
        r.counter("blockferry_sent_chunks", "mode", mode, "kind", "data").increment(report.dataChunks());
        r.counter("blockferry_sent_chunks", "mode", mode, "kind", "zero").increment(report.zeroChunks());
        watchRpo(report.volumeId());
    }

    /** A generation's outcome as the target answered it (counted where the ack is seen). */
    public void answered(GenerationAck ack, String side) {
        MeterRegistry r = registry.get();
        r.counter("blockferry_generations", "outcome", ack.status().name().toLowerCase(), "side", side).increment();
        if (ack.committed() && side.equals("target")) {
            r.counter("blockferry_written_bytes").increment(ack.dataBytes());
        }
    }

    public void event(Event event) {
        registry.get().counter("blockferry_events", "type", event.type()).increment();
    }

    /** How long a task waited in the work queue for a slot. */
    public void queueWait(long millis) {
        Timer.builder("blockferry_queue_wait").description("Time sync tasks waited in the work queue for a slot")
                .register(registry.get()).record(Duration.ofMillis(millis));
    }

    /** Gauges of the work queue: tasks waiting and tasks running (disks in flight). */
    public void watchQueue(IntSupplier waiting, IntSupplier running) {
        Gauge.builder("blockferry_queue_depth", waiting::getAsInt).description("Sync tasks waiting for a slot")
                .register(registry.get());
        Gauge.builder("blockferry_tasks_running", running::getAsInt).description("Sync tasks holding a slot")
                .register(registry.get());
    }

    private void watchRpo(String volumeId) {
        if (states != null && rpoGauges.add(volumeId)) {
            Gauge.builder("blockferry_rpo_seconds", () -> rpoSeconds(volumeId)).tag("volume", volumeId)
                    .description("Age of the newest recovery point the target acknowledged")
                    .register(registry.get());
        }
    }

    private double rpoSeconds(String volumeId) {
        return states.find(volumeId).map(VolumeState::baseAckedAtMillis).filter(t -> t > 0)
                .map(t -> (System.currentTimeMillis() - t) / 1000.0).orElse(Double.NaN);
    }
}
