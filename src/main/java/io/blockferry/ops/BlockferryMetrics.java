package io.blockferry.ops;

import io.blockferry.events.Event;
import io.blockferry.events.EventTypes;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.VolumeState;
import io.blockferry.source.VolumeStateStore;
import io.blockferry.transport.GenerationAck;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.IntSupplier;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Blockferry's own Prometheus series, fed from the routes: bytes and chunks sent and written,
 * generations by outcome, events by type, the recovery-point age (RPO) of each volume, and the
 * work queue's depth and wait time.
 */
public final class BlockferryMetrics {

    /** The event types the shipped Prometheus rules alert on (monitoring/prometheus/blockferry-rules.yml). */
    public static final List<String> ALERTED_EVENTS = List.of(EventTypes.SYNC_FAILED, EventTypes.QUEUE_TIMEOUT,
            EventTypes.DEAD_LETTER, EventTypes.RPO_MISSED);

    private final Supplier<MeterRegistry> registry;
    private final VolumeStateStore states;
    private final SentBytes sent = new SentBytes();
    private final LongAdder written = new LongAdder();
    private final Set<String> rpoGauges = ConcurrentHashMap.newKeySet();
    private final Set<String> objectiveGauges = ConcurrentHashMap.newKeySet();
    private final Map<String, RpoStatus> objectives = new ConcurrentHashMap<>();

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
        sent.published(report.volumeId(), report.generation(), report.dataBytes() + report.zeroBytes());
        watchRpo(report.volumeId());
    }

    /** What the source streamed, for the status history. */
    public SentBytes sentBytes() {
        return sent;
    }

    /** Data bytes the target committed since start, for the status history. */
    public long writtenBytesTotal() {
        return written.sum();
    }

    /** A generation's outcome as the target answered it (counted where the ack is seen). */
    public void answered(GenerationAck ack, String side) {
        MeterRegistry r = registry.get();
        r.counter("blockferry_generations", "outcome", ack.status().name().toLowerCase(), "side", side).increment();
        if (ack.committed() && side.equals("target")) {
            r.counter("blockferry_written_bytes").increment(ack.dataBytes());
            written.add(ack.dataBytes());
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

    /**
     * The RPO check's result: each volume's objective and whether it is in breach (1) or not (0).
     * A volume that lost its objective reads NaN, so no alert holds on to it.
     */
    public void rpoChecked(List<RpoStatus> statuses) {
        Map<String, RpoStatus> now = new java.util.HashMap<>();
        statuses.forEach(s -> now.put(s.volumeId(), s));
        objectives.keySet().retainAll(now.keySet());
        objectives.putAll(now);
        for (RpoStatus s : statuses) {
            watchRpo(s.volumeId());
            if (objectiveGauges.add(s.volumeId())) {
                String volumeId = s.volumeId();
                Gauge.builder("blockferry_rpo_objective_seconds", () -> objective(volumeId, false))
                        .tag("volume", volumeId).description("The recovery-point objective of the volume's policy")
                        .register(registry.get());
                Gauge.builder("blockferry_rpo_breached", () -> objective(volumeId, true)).tag("volume", volumeId)
                        .description("1 while the volume's newest acked recovery point is older than its objective")
                        .register(registry.get());
            }
        }
    }

    /** Event counters at 0 before their first event, so that Prometheus's increase() sees the first one. */
    public void declareEvents(List<String> types) {
        types.forEach(t -> registry.get().counter("blockferry_events", "type", t));
    }

    private double objective(String volumeId, boolean breached) {
        RpoStatus s = objectives.get(volumeId);
        return s == null ? Double.NaN : breached ? (s.breached() ? 1 : 0) : s.objectiveSeconds();
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
