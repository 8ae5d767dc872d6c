package io.blockferry.demo;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Notices syncs that stopped moving: nothing new on the chunk topic and nothing newly committed by
 * the target's consumer group for a while. The JVM reports only its first OutOfMemoryError (and
 * Blockferry's consumer keeps a later one to itself), so without this a second OOM would cost the
 * whole --timeout; with it, a row gives up after the stall time. Sampled at most every 5 s.
 */
final class StallWatch implements AutoCloseable {

    private static final long SAMPLE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final Admin admin;
    private final String chunkTopic;
    private final String targetGroup;
    private final Duration stall;
    private List<TopicPartition> partitions;
    private long lastSample;
    private long lastProgress;
    private String lastState = "";

    StallWatch(String bootstrapServers, io.blockferry.transport.KafkaClientConfig client, String chunkTopic,
               String targetGroup, Duration stall) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        this.admin = Admin.create(client.applyTo(p));
        this.chunkTopic = chunkTopic;
        this.targetGroup = targetGroup;
        this.stall = stall;
        progressed();
    }

    /** A sync starts: it counts as progress. */
    synchronized void progressed() {
        lastProgress = System.nanoTime();
    }

    /** Why the syncs in flight look stuck, or null while they move. */
    synchronized String reason() {
        long now = System.nanoTime();
        if (now - lastSample >= SAMPLE_NANOS) {
            lastSample = now;
            String state = state();
            if (!state.equals(lastState)) {
                lastState = state;
                lastProgress = now;
            }
        }
        long idle = now - lastProgress;
        return idle < stall.toNanos() ? null : String.format("no progress for %d s (the chunk topic's end offsets and "
                + "the target's committed offsets did not move; --stall %ds)", TimeUnit.NANOSECONDS.toSeconds(idle),
                stall.toSeconds());
    }

    /** The chunk topic's end offsets and the target group's committed offsets, as one comparable string. */
    private String state() {
        try {
            if (partitions == null) {
                partitions = admin.describeTopics(List.of(chunkTopic)).allTopicNames().get(10, TimeUnit.SECONDS)
                        .get(chunkTopic).partitions().stream().map(p -> new TopicPartition(chunkTopic, p.partition()))
                        .toList();
            }
            Map<TopicPartition, OffsetSpec> latest = partitions.stream()
                    .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
            var ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(targetGroup)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            return partitions.stream().map(p -> ends.get(p).offset() + "/"
                    + (committed.get(p) == null ? "-" : committed.get(p).offset())).collect(Collectors.joining(","));
        } catch (Exception e) {
            return lastState; // an unreachable broker is no progress
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(10));
    }
}
