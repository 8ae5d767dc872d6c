package io.blockferry.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.testing.KafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The three-broker Kafka of scripts/kafka-cluster.sh survives a kill -9 of a broker without losing acked records. */
@Tag("cluster")
class KafkaClusterSmokeTest {

    private static final int PARTITIONS = 3;
    private static final int PER_PHASE = 150;
    private static final int CHUNK = 4 << 20; // Blockferry's largest chunk; needs the raised message.max.bytes

    @Test
    void should_keep_every_acknowledged_record_across_a_kill_9_of_a_broker_and_its_restart() throws Exception {
        String topic = "smoke-" + UUID.randomUUID();
        Map<String, byte[]> acked = new HashMap<>();
        int victim;
        try (Admin admin = KafkaCluster.admin()) {
            KafkaCluster.createTopic(admin, topic, PARTITIONS);
            try {
                KafkaCluster.replicas(admin, topic).forEach((p, ids) -> assertEquals(3, ids.size(), "replicas of " + p));
                Config config = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic)))
                        .all().get(20, TimeUnit.SECONDS).values().iterator().next();
                assertEquals("2", config.get("min.insync.replicas").value(), "the brokers' default min.insync.replicas");

                // The leader of partition 0: its loss forces a leader election, not just a smaller ISR.
                victim = KafkaCluster.leader(admin, topic, 0);
                try (KafkaProducer<String, byte[]> producer = producer()) {
                    acked.putAll(send(producer, topic, "before", true));
                    KafkaCluster.killBroker(victim);
                    // Two of three replicas are still min.insync.replicas: acks=all writes go on
                    // once the cluster has fenced the dead broker and moved its leaderships.
                    Map<String, byte[]> during = send(producer, topic, "during", false);
                    assertEquals(PER_PHASE, during.size(), "acks=all writes while one broker of three is down");
                    acked.putAll(during);
                    KafkaCluster.startBroker(victim);
                    // start-broker saw the full ISR through one broker's metadata; the others learn it
                    // from the controller moments later, so this admin client may ask a stale one.
                    KafkaCluster.awaitIsr(admin, topic,
                            isr -> isr.values().stream().allMatch(ids -> ids.equals(Set.of(1, 2, 3))),
                            Duration.ofSeconds(60), "broker " + victim + " back in the ISR of every partition");
                    acked.putAll(send(producer, topic, "after", false));
                }

                // The restarted broker holds every partition itself, caught up to the high watermark.
                Map<Integer, Map<String, LogDirDescription>> dirs = admin.describeLogDirs(List.of(victim))
                        .allDescriptions().get(20, TimeUnit.SECONDS);
                Map<TopicPartition, ReplicaInfo> held = new HashMap<>();
                dirs.get(victim).values().forEach(d -> held.putAll(d.replicaInfos()));
                for (int p = 0; p < PARTITIONS; p++) {
                    ReplicaInfo r = held.get(new TopicPartition(topic, p));
                    assertTrue(r != null && r.size() > 0, "broker " + victim + " holds partition " + p + ": " + r);
                    assertEquals(0, r.offsetLag(), "lag of broker " + victim + " on partition " + p);
                }

                Map<String, byte[]> read = readAll(topic, Duration.ofSeconds(120));
                List<String> missing = new ArrayList<>();
                for (var e : acked.entrySet()) {
                    if (!read.containsKey(e.getKey())) {
                        missing.add(e.getKey());
                    } else {
                        assertArrayEquals(e.getValue(), read.get(e.getKey()), "value of " + e.getKey());
                    }
                }
                assertEquals(List.of(), missing, "acknowledged records missing after the kill -9 of broker " + victim);
                assertEquals(3 * PER_PHASE + 1, acked.size());
            } finally {
                KafkaCluster.ensureAllRunning();
                KafkaCluster.deleteTopic(admin, topic);
            }
        }
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put("bootstrap.servers", KafkaCluster.bootstrapServers());
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        p.put("max.request.size", Integer.toString(CHUNK + (64 << 10)));
        p.put("delivery.timeout.ms", "120000");
        p.put("request.timeout.ms", "15000");
        p.put("linger.ms", "5");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Sends one phase of records (and one 4 MiB chunk, if asked); returns those the cluster acknowledged. */
    private static Map<String, byte[]> send(KafkaProducer<String, byte[]> producer, String topic, String phase,
            boolean withChunk) throws InterruptedException {
        Random random = new Random(phase.hashCode());
        Map<String, byte[]> sent = new HashMap<>();
        Map<String, Future<RecordMetadata>> futures = new HashMap<>();
        for (int i = 0; i < PER_PHASE + (withChunk ? 1 : 0); i++) {
            byte[] value = new byte[i == PER_PHASE ? CHUNK : 1024];
            random.nextBytes(value);
            String key = phase + "-" + i;
            sent.put(key, value);
            futures.put(key, producer.send(new ProducerRecord<>(topic, key, value)));
        }
        producer.flush();
        Map<String, byte[]> acked = new HashMap<>();
        for (var e : futures.entrySet()) {
            try {
                e.getValue().get(150, TimeUnit.SECONDS);
                acked.put(e.getKey(), sent.get(e.getKey()));
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException failed) {
                // not acknowledged: the cluster owes nothing for it
            }
        }
        return acked;
    }

    /** Every record of the topic, read to the end offsets from the beginning, key to value. */
    private static Map<String, byte[]> readAll(String topic, Duration timeout) {
        Properties p = new Properties();
        p.put("bootstrap.servers", KafkaCluster.bootstrapServers());
        p.put("enable.auto.commit", "false");
        p.put("max.partition.fetch.bytes", Integer.toString(CHUNK + (64 << 10)));
        Map<String, byte[]> read = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (int i = 0; i < PARTITIONS; i++) {
                parts.add(new TopicPartition(topic, i));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> ends = consumer.endOffsets(parts, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            Set<TopicPartition> open = new TreeSet<>((a, b) -> Integer.compare(a.partition(), b.partition()));
            open.addAll(parts);
            while (!open.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("topic " + topic + " not read to its end offsets " + ends + " in " + timeout);
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    read.put(r.key(), r.value());
                }
                open.removeIf(tp -> consumer.position(tp) >= ends.get(tp));
            }
        }
        return read;
    }
}
