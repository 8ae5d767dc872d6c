package io.blockferry.scale;

import io.blockferry.schedule.SyncTask;
import io.blockferry.schedule.TaskIntake;
import io.blockferry.security.JsonRecordAuth;
import io.blockferry.source.SyncOptions;
import io.blockferry.transport.KafkaUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Hands syncs to the site's task topic, keyed by volume, instead of this proxy's queue: the proxy
 * that owns the volume's partition queues it (see {@link ProxyGroupMember}). A request returns once
 * Kafka has it, so an accepted request survives the death of any one proxy.
 */
public final class KafkaTaskTopic implements TaskIntake {

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final JsonRecordAuth auth;
    private final TaskIntake local;
    private final Duration timeout;
    private final Clock clock;

    /** @param local this proxy's own queue, which answers {@link #busy} for the runs it holds */
    public KafkaTaskTopic(Producer<String, byte[]> producer, String topic, JsonRecordAuth auth, TaskIntake local,
                          Duration timeout, Clock clock) {
        this.producer = producer;
        this.topic = topic;
        this.auth = auth;
        this.local = local;
        this.timeout = timeout;
        this.clock = clock;
    }

    @Override
    public SyncTask submit(String volumeId, String host, String policy, int priority, boolean full, String trigger,
                           SyncOptions options) {
        long now = clock.millis();
        byte[] value = new TaskRecord(volumeId, host, policy, priority, full, trigger, now).encode();
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, volumeId, value);
        auth.sign(JsonRecordAuth.TASKS, volumeId, value)
                .forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        try {
            producer.send(record).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaUnavailableException("the sync of " + volumeId + " (" + trigger + ") could not be put on "
                    + "the task topic " + topic + " within " + timeout.toSeconds() + " s (" + rootMessage(e) + "): "
                    + "check that Kafka is reachable (blockferry.kafka.bootstrap-servers); ask again once it is");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while putting the sync of " + volumeId
                    + " on the task topic " + topic);
        }
        return new SyncTask(0, volumeId, host == null ? volumeId : host, policy, priority, full, trigger, options, now,
                null);
    }

    @Override
    public boolean busy(String policy) {
        return local.busy(policy);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
