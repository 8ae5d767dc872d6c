package io.blockferry.scale;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blockferry.security.JsonRecordAuth;
import io.blockferry.transport.KafkaUnavailableException;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each volume's source state (base snapshot, generations, pending generation, policy) on a
 * compacted topic keyed by volume, partitioned like the task topic: the proxy that is given a
 * volume's task partition reads that partition of this topic to its end and continues the chain
 * where the last owner left it. Every change is written, and acknowledged by the in-sync
 * replicas, before the step that made it goes on.
 */
final class SourceStateChangelog {

    private static final Logger LOG = LoggerFactory.getLogger(SourceStateChangelog.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> ROW = new TypeReference<>() { };

    private final SignedRecords records;
    private final Supplier<Consumer<String, byte[]>> readers;
    private final String topic;

    /** @param readers makes a consumer without a group, for {@link #restore} to assign partitions to */
    SourceStateChangelog(SignedRecords records, Supplier<Consumer<String, byte[]>> readers, String topic) {
        this.records = records;
        this.readers = readers;
        this.topic = topic;
    }

    /** Writes the volume's row; returns once the brokers have it. */
    public void publish(String volumeId, Map<String, Object> row) {
        byte[] value;
        try {
            value = JSON.writeValueAsBytes(row);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the state of " + volumeId, e);
        }
        records.send(topic, JsonRecordAuth.SOURCE_STATE, volumeId, value, "the state of " + volumeId + " was not "
                + "written (the step is retried, and a proxy that takes the volume over continues from the last "
                + "state written)");
    }

    /**
     * The newest row of every volume in these partitions, read to the end they had when asked. A
     * record that is not a row, or fails its signature, is left out with a warning (the row before it
     * stands).
     */
    public Map<String, Map<String, Object>> restore(Collection<Integer> partitions) {
        Map<String, Map<String, Object>> rows = new HashMap<>();
        if (partitions.isEmpty()) {
            return rows;
        }
        List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(topic, p)).toList();
        Duration timeout = records.timeout();
        try (Consumer<String, byte[]> reader = readers.get()) {
            reader.assign(tps);
            reader.seekToBeginning(tps);
            Map<TopicPartition, Long> end = reader.endOffsets(tps, timeout);
            long deadline = System.nanoTime() + 4 * timeout.toNanos();
            while (tps.stream().anyMatch(tp -> reader.position(tp, timeout) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new KafkaUnavailableException("the source state topic " + topic + " could not be read to "
                            + "its end within " + 4 * timeout.toSeconds() + " s: the volumes of partitions "
                            + partitions + " are not taken over until it can");
                }
                for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        admit(r).ifPresent(row -> rows.put(r.key(), row));
                    }
                }
            }
        }
        return rows;
    }

    private java.util.Optional<Map<String, Object>> admit(ConsumerRecord<String, byte[]> r) {
        try {
            records.verify(r, JsonRecordAuth.SOURCE_STATE);
            Map<String, Object> row = r.value() == null ? null : JSON.readValue(r.value(), ROW);
            if (row == null || !String.valueOf(r.key()).equals(row.get("volume_id"))) {
                throw new IllegalArgumentException("its volume_id is not its key");
            }
            return java.util.Optional.of(row);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Source state topic {}: the record keyed {} at partition {} offset {} is left out ({}); the "
                    + "volume continues from its state before it", topic, r.key(), r.partition(), r.offset(),
                    e.getMessage());
            return java.util.Optional.empty();
        }
    }
}
