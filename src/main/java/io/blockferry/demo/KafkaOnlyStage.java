package io.blockferry.demo;

import io.blockferry.config.Settings;
import io.blockferry.transport.KafkaTuning;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.utils.Utils;

/**
 * The carrier's own ceiling: a producer and a consumer with exactly the chunk topic's settings
 * ({@link KafkaTuning#producer}, {@link KafkaTuning#consumer}), on the same broker, moving the
 * same bytes as a sync in records of {@code recordBytes} of random data, keyed like the volumes
 * (so they land on the same partitions). No Blockferry code runs between them, so what a sync
 * takes beyond this is the cost Blockferry adds.
 */
final class KafkaOnlyStage {

    private static final String GROUP = "blockferry-bench-kafka-only";
    private static final int PAYLOADS = 4;

    private final KafkaTuning tuning;
    private final String bootstrapServers;
    private final String chunkTopic;
    private final Duration timeout;
    private int runs;

    KafkaOnlyStage(Settings settings, String bootstrapServers, Duration timeout) {
        this.tuning = KafkaTuning.from(settings);
        this.bootstrapServers = bootstrapServers;
        this.chunkTopic = settings.text("blockferry.kafka.chunk-topic");
        this.timeout = timeout;
    }

    /**
     * Sends {@code bytes.get(i)} bytes under {@code keys.get(i)}, one sender thread per key, and
     * consumes them all with one consumer; timed from the first send to the last record consumed.
     */
    RowRunner.Outcome run(List<String> keys, List<Long> bytes, BenchRuntime.Abandon abandon) throws Exception {
        long total = bytes.stream().mapToLong(Long::longValue).sum();
        String topic = "blockferry.bench-kafka-only-" + (++runs);
        try (Admin admin = Admin.create(adminProperties())) {
            String raised = createLikeChunkTopic(admin, topic);
            try {
                int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(topic).partitions().size();
                double seconds = move(topic, partitions, keys, bytes, total, abandon);
                TreeSet<Integer> used = new TreeSet<>();
                keys.forEach(k -> used.add(Utils.toPositive(Utils.murmur2(k.getBytes(StandardCharsets.UTF_8))) % partitions));
                String note = String.format("%d KiB records, %s, partitions %s of %d%s", tuning.recordBytes() >> 10,
                        tuning.compression(), used, partitions, raised);
                return new RowRunner.Outcome(total, seconds, note);
            } finally {
                admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * A topic with the chunk topic's partitions, replication and overridden configs. If the chunk
     * topic's max.message.bytes is below what the tuning's batches need, it is raised (and said
     * so): this stage measures the tuning, not a broker that splits every batch.
     */
    private String createLikeChunkTopic(Admin admin, String topic) throws Exception {
        TopicDescription chunk = admin.describeTopics(List.of(chunkTopic)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(chunkTopic);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, chunkTopic);
        Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
        Map<String, String> overrides = new HashMap<>();
        for (ConfigEntry e : config.entries()) {
            if (e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) {
                overrides.put(e.name(), e.value());
            }
        }
        String raised = "";
        long max = Long.parseLong(config.get("max.message.bytes").value());
        if (max < tuning.maxMessageBytes()) {
            overrides.put("max.message.bytes", Integer.toString(tuning.maxMessageBytes()));
            raised = "; max.message.bytes " + tuning.maxMessageBytes() + " (chunk topic's: " + max + ")";
        }
        short replicas = (short) chunk.partitions().get(0).replicas().size();
        admin.createTopics(List.of(new NewTopic(topic, chunk.partitions().size(), replicas).configs(overrides)))
                .all().get(30, TimeUnit.SECONDS);
        return raised;
    }

    private double move(String topic, int partitions, List<String> keys, List<Long> bytes, long total,
                        BenchRuntime.Abandon abandon) throws Exception {
        Random random = new Random(5);
        byte[][] payloads = new byte[PAYLOADS][tuning.recordBytes()];
        for (byte[] p : payloads) {
            random.nextBytes(p);
        }
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(tuning.producer(bootstrapServers));
        try (KafkaConsumer<String, ByteBuffer> consumer = new KafkaConsumer<>(tuning.consumer(bootstrapServers, GROUP))) {
            List<TopicPartition> all = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList();
            // assign, not subscribe: no group join inside the timed window
            consumer.assign(all);
            consumer.seekToBeginning(all);
            all.forEach(consumer::position);
            producer.partitionsFor(topic); // metadata fetched before the clock starts, as a running source has it
            AtomicReference<Exception> sendFailure = new AtomicReference<>();
            long start = System.nanoTime();
            List<Thread> senders = new ArrayList<>();
            for (int k = 0; k < keys.size(); k++) {
                String key = keys.get(k);
                long length = bytes.get(k);
                Thread sender = new Thread(() -> send(producer, topic, key, length, payloads, sendFailure),
                        "bench-kafka-only-sender-" + k);
                sender.setDaemon(true);
                senders.add(sender);
                sender.start();
            }
            long received = 0;
            long deadline = start + timeout.toNanos();
            while (received < total) {
                for (ConsumerRecord<String, ByteBuffer> r : consumer.poll(Duration.ofMillis(100))) {
                    received += r.value().remaining();
                }
                if (sendFailure.get() != null) {
                    throw new IllegalStateException("the Kafka-only producer failed", sendFailure.get());
                }
                String reason = abandon.reason();
                if (reason != null || System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka-only stage stopped after " + received + " of " + total
                            + " bytes: " + (reason != null ? reason : "the benchmark's --timeout"));
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            for (Thread s : senders) {
                s.join(TimeUnit.SECONDS.toMillis(30));
            }
            if (received != total) {
                throw new IllegalStateException("consumed " + received + " bytes, sent " + total);
            }
            return seconds;
        } finally {
            // bounded: after a failure, senders may still be blocked on a full buffer
            producer.close(Duration.ofSeconds(30));
        }
    }

    private void send(KafkaProducer<String, byte[]> producer, String topic, String key, long length, byte[][] payloads,
                      AtomicReference<Exception> failure) {
        int record = tuning.recordBytes();
        long sent = 0;
        for (int i = 0; sent < length && failure.get() == null; i++) {
            int n = (int) Math.min(record, length - sent);
            byte[] value = n == record ? payloads[i % PAYLOADS] : java.util.Arrays.copyOf(payloads[i % PAYLOADS], n);
            try {
                producer.send(new ProducerRecord<>(topic, key, value), (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
            sent += n;
        }
        producer.flush();
    }

    private Properties adminProperties() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return tuning.client().applyTo(p);
    }
}
