package io.blockferry.target;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blockferry.fault.FaultPoints;
import io.blockferry.transport.GenerationAck;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the target's answers. A commit or rejection queues its ack in the catalog in the same
 * durable transaction that decides it; this publisher sends queued acks in order and deletes each
 * once Kafka has it. A send that fails (the broker away) is retried, with backoff, until it
 * succeeds; a restarted target sends what it had not. An ack sent twice is harmless: the source
 * acts only on the generation and snapshot it is waiting for.
 */
public final class AckOutbox implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AckOutbox.class);
    private static final long MAX_BACKOFF_MILLIS = 30_000;

    private final RecoveryPointCatalog catalog;
    private final Consumer<GenerationAck> sender;
    private final ObjectMapper json = new ObjectMapper();
    private final Object signal = new Object();
    private boolean woken;
    private volatile boolean running;
    private Thread thread;

    private final String targetSite;

    /** @param sender publishes one ack and returns once Kafka has it, or throws */
    public AckOutbox(RecoveryPointCatalog catalog, Consumer<GenerationAck> sender) {
        this(catalog, sender, null);
    }

    /** @param targetSite this target's site, which every ack it sends names */
    public AckOutbox(RecoveryPointCatalog catalog, Consumer<GenerationAck> sender, String targetSite) {
        this.catalog = catalog;
        this.sender = sender;
        this.targetSite = targetSite;
    }

    String toJson(GenerationAck ack) {
        try {
            return json.writeValueAsString(ack);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the ack of " + ack.volumeId() + " as JSON", e);
        }
    }

    /** Starts publishing, beginning with whatever an earlier run left queued. */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "ack-outbox");
        thread.setDaemon(true);
        thread.start();
    }

    /** Something was queued: publish it now rather than at the next periodic look. */
    public void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    private void run() {
        long backoff = 500;
        while (running) {
            try {
                publishQueued();
                backoff = 500;
                await(5_000);
            } catch (RuntimeException e) {
                LOG.warn("Publishing the target's acks failed ({}); retrying in {} ms", e.getMessage(), backoff);
                await(backoff);
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
        }
    }

    /** Sends every queued ack in order; throws at the first that Kafka does not take. */
    void publishQueued() {
        List<RecoveryPointCatalog.QueuedAck> queued = catalog.queuedAcks();
        for (RecoveryPointCatalog.QueuedAck entry : queued) {
            GenerationAck ack;
            try {
                ack = json.readValue(entry.json(), GenerationAck.class);
            } catch (JsonProcessingException e) {
                LOG.error("Dropping a queued ack of {} generation {} that cannot be read: {}", entry.volumeId(),
                        entry.generation(), e.getMessage());
                catalog.ackPublished(entry.id());
                continue;
            }
            sender.accept(targetSite == null ? ack : ack.fromTarget(targetSite));
            catalog.ackPublished(entry.id());
            FaultPoints.reach(FaultPoints.Step.TARGET_AFTER_ACK);
        }
    }

    private void await(long millis) {
        synchronized (signal) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (!woken && running) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(signal, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            woken = false;
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        wake();
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
