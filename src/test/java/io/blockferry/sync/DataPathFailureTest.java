package io.blockferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.BlockferryRuntime;
import io.blockferry.demo.Checksums;
import io.blockferry.fault.FaultPoints;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncFailedException;
import io.blockferry.source.SyncRequest;
import io.blockferry.source.VolumeState;
import io.blockferry.target.RecoveryPoint;
import io.blockferry.testing.Await;
import io.blockferry.testing.Beans;
import io.blockferry.testing.ChunkTopic;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.testing.TopicWatch;
import io.blockferry.transport.EmbeddedKafkaBroker;
import io.blockferry.transport.SyncMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data path when Kafka, the disk or an ack fails, on the real local Ceph and a Kafka broker the
 * test stops and starts again (same log, same ports), with Blockferry's runtime in this JVM.
 */
class DataPathFailureTest {

    private static final int MiB = 1 << 20;
    private static final Duration ACK = Duration.ofMinutes(2);

    @TempDir
    Path kafkaDir;
    private int brokerPort;
    private int controllerPort;
    private EmbeddedKafkaBroker broker;
    private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void startKafka() {
        LocalCeph.ensureStarted();
        brokerPort = TestRuntimes.freePort();
        controllerPort = TestRuntimes.freePort();
        broker = EmbeddedKafkaBroker.start(kafkaDir, brokerPort, controllerPort, 5 << 20);
    }

    @AfterEach
    void stopKafka() {
        FaultPoints.clear();
        later.shutdownNow();
        synchronized (this) {
            if (broker != null) {
                broker.close();
            }
        }
    }

    private synchronized void stopBroker() {
        broker.close();
        broker = null;
    }

    private synchronized void startBroker() {
        broker = EmbeddedKafkaBroker.start(kafkaDir, brokerPort, controllerPort, 5 << 20);
    }

    private BlockferryRuntime runtime(Path data, Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(more);
        settings.put("blockferry.kafka.bootstrap-servers", "127.0.0.1:" + brokerPort);
        settings.putIfAbsent("blockferry.source.ack-timeout-seconds", "3600");
        return TestRuntimes.start(data, settings);
    }

    private static String replicaSha(BlockferryRuntime runtime, String volumeId) throws Exception {
        return Checksums.sha256(runtime.writer().repository().replica(volumeId));
    }

    @Test
    void should_free_the_space_a_guest_trims_on_the_replica(@TempDir Path data) throws Exception {
        try (BlockferryRuntime runtime = runtime(data, Map.of());
             TestImage image = new TestImage("volumes", "it-trim", 384L * MiB, 11)) {
            image.writeRandom(64L * MiB, 128 * MiB);
            image.writeRandom(192L * MiB, 128 * MiB);
            runtime.sync(SyncRequest.full(image.volumeId(), "test")).awaitCommitted(ACK);
            Path replica = runtime.writer().repository().replica(image.volumeId());
            long written = io.blockferry.testing.DiskUsage.allocatedBytes(replica);

            image.discard(64L * MiB, 256L * MiB);
            GenerationReport trim = runtime.sync(SyncRequest.incremental(image.volumeId(), "test"));
            trim.awaitCommitted(ACK);
            long trimmed = io.blockferry.testing.DiskUsage.allocatedBytes(replica);

            assertEquals(SyncMode.INCREMENTAL, trim.mode());
            assertTrue(written >= 256L * MiB, "the data took space: " + written);
            assertTrue(written - trimmed >= 250L * MiB, "the trimmed 256 MiB are holes again: " + written + " -> "
                    + trimmed + " bytes allocated");
            assertEquals(LocalCeph.exportSha256("volumes", image.name, trim.snapshot()), replicaSha(runtime,
                    image.volumeId()));
        }
    }

    @Test
    void should_deliver_the_ack_when_the_broker_stopped_between_commit_and_ack(@TempDir Path data) throws Exception {
        try (BlockferryRuntime runtime = runtime(data, Map.of());
             TestImage image = new TestImage("volumes", "it-ack-lost", 32L * MiB, 12)) {
            image.writeRandom(0, 16 * MiB);
            runtime.sync(SyncRequest.full(image.volumeId(), "test")).awaitCommitted(ACK);
            image.writeRandom(4L * MiB, 2 * MiB);
            AtomicBoolean once = new AtomicBoolean();
            FaultPoints.install(FaultPoints.Step.TARGET_AFTER_COMMIT, () -> {
                if (once.compareAndSet(false, true)) {
                    stopBroker();
                }
            });
            GenerationReport second = runtime.sync(SyncRequest.incremental(image.volumeId(), "test"));
            Await.until(() -> runtime.writer().catalog().latest(image.volumeId()).orElseThrow(),
                    p -> p.generation() == second.generation() && p.committed(), ACK, "the commit");
            assertEquals(1, runtime.writer().catalog().queuedAcks().size(), "its ack waits in the outbox");
            assertTrue(Beans.queue(runtime).running().isEmpty() || !second.ack().isDone(), "no ack arrived while Kafka was down");
            startBroker();

            second.awaitCommitted(ACK);
            Await.until(() -> runtime.writer().catalog().queuedAcks().size(), n -> n == 0, ACK, "the outbox empties");
            GenerationReport third = runtime.sync(SyncRequest.incremental(image.volumeId(), "test"));
            third.awaitCommitted(ACK);
            assertEquals(SyncMode.INCREMENTAL, third.mode(), "the source moved on: no full resync");
            assertEquals(LocalCeph.exportSha256("volumes", image.name, third.snapshot()),
                    replicaSha(runtime, image.volumeId()));
        }
    }

    @Test
    void should_abandon_and_resync_at_once_a_generation_cut_by_a_broker_failure(@TempDir Path data) throws Exception {
        Map<String, String> settings = Map.of("blockferry.kafka.timeout-seconds", "3",
                "blockferry.kafka.producer-buffer", "8M", "blockferry.source.resync-backoff", "2s");
        try (BlockferryRuntime runtime = runtime(data, settings);
             TestImage image = new TestImage("volumes", "it-broker-cut", 96L * MiB, 13)) {
            image.writeRandom(0, 80 * MiB);
            AtomicBoolean once = new AtomicBoolean();
            FaultPoints.install(FaultPoints.Step.SOURCE_MID_STREAM, () -> {
                if (once.compareAndSet(false, true)) {
                    stopBroker();
                    later.schedule(this::startBroker, 15, TimeUnit.SECONDS);
                }
            });
            long started = System.nanoTime();
            // the broker is away longer than the producer's timeouts: the generation cannot be delivered whole
            RuntimeException cut = assertThrows(RuntimeException.class,
                    () -> runtime.sync(SyncRequest.full(image.volumeId(), "test")));
            assertTrue(String.valueOf(cut.getMessage()).contains("abandoned")
                    || String.valueOf(cut.getCause()).contains("abandoned"), String.valueOf(cut));

            VolumeState settled = Await.until(() -> Beans.volumeState(runtime, image.volumeId()).orElse(null),
                    s -> s != null && s.hasBase() && !s.hasPending() && Beans.queue(runtime).running().isEmpty()
                            && Beans.queue(runtime).queued().isEmpty(), Duration.ofMinutes(3),
                    "the resync committed, nothing waiting");
            assertTrue(System.nanoTime() - started < TimeUnit.MINUTES.toNanos(10), "no ack timeout was waited for");
            RecoveryPoint point = runtime.writer().catalog().latest(image.volumeId()).orElseThrow();
            assertEquals(settled.baseSnapshot(), point.snapshot());
            assertEquals("FULL", point.mode());
            assertEquals(LocalCeph.exportSha256("volumes", image.name, point.snapshot()),
                    replicaSha(runtime, image.volumeId()));
            assertTrue(LocalCeph.snapshots("volumes", image.name).stream().noneMatch(s -> s.contains("g000001")),
                    "the cut generation's snapshot was removed");
        }
    }

    @Test
    void should_resync_in_full_when_the_repository_lost_a_volume_while_stopped(@TempDir Path data) throws Exception {
        try (TestImage image = new TestImage("volumes", "it-repo-lost", 32L * MiB, 14)) {
            image.writeRandom(0, 12 * MiB);
            try (BlockferryRuntime first = runtime(data, Map.of())) {
                first.sync(SyncRequest.full(image.volumeId(), "test")).awaitCommitted(ACK);
                image.writeRandom(2L * MiB, MiB);
                first.sync(SyncRequest.incremental(image.volumeId(), "test")).awaitCommitted(ACK);
            }
            Path volumeDir = data.resolve("repository").resolve("volumes%2Fit-repo-lost");
            Files.move(volumeDir, data.resolve("moved-away"));
            image.writeRandom(9L * MiB, MiB);

            try (TopicWatch events = TopicWatch.events("127.0.0.1:" + brokerPort);
                 BlockferryRuntime second = runtime(data, Map.of())) {
                var missing = events.awaitEvent("target-files-missing", image.volumeId(),
                        "target-missing-base", Duration.ofSeconds(60));
                assertTrue(missing.get("message").asText().contains(image.volumeId()));
                Beans.submit(second, SyncRequest.incremental(image.volumeId(), "scheduled"));
                RecoveryPoint full = Await.until(() -> second.writer().catalog().latest(image.volumeId()).orElse(null),
                        p -> p != null && p.committed() && p.generation() > 2 && Beans.queue(second).running().isEmpty(),
                        Duration.ofMinutes(2), "a full resync committed");
                assertEquals("FULL", full.mode());
                assertEquals(LocalCeph.exportSha256("volumes", image.name, full.snapshot()),
                        replicaSha(second, image.volumeId()));
            }
        }
    }

    @Test
    void should_never_commit_an_offset_past_a_record_whose_effect_is_not_durable(@TempDir Path sourceData,
                                                                                  @TempDir Path targetData)
            throws Exception {
        Map<String, String> target = Map.of("blockferry.roles", "target", "blockferry.target.revoke-wait", "2s");
        try (BlockferryRuntime source = runtime(sourceData, Map.of("blockferry.roles", "source"));
             BlockferryRuntime writer = runtime(targetData, target);
             TestImage image = new TestImage("volumes", "it-revoke", 16L * MiB, 15);
             Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:" + brokerPort))) {
            image.writeRandom(0, 4 * MiB);
            source.sync(SyncRequest.full(image.volumeId(), "test")).awaitCommitted(ACK);
            long durable = endOffsets(admin);
            Await.until(() -> committedOffsets(admin), n -> n == durable, ACK, "generation 1's offsets committed");

            image.writeRandom(MiB, MiB);
            CountDownLatch atCommit = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            FaultPoints.install(FaultPoints.Step.TARGET_AFTER_STAGING, () -> {
                atCommit.countDown();
                await(release);
            });
            GenerationReport second = source.sync(SyncRequest.incremental(image.volumeId(), "test"));
            await(atCommit);
            Properties p = new Properties();
            p.put("bootstrap.servers", "127.0.0.1:" + brokerPort);
            p.put("group.id", "blockferry-target");
            p.put("enable.auto.commit", "false");
            try (KafkaConsumer<String, byte[]> joiner = new KafkaConsumer<>(p, new StringDeserializer(),
                    new ByteArrayDeserializer())) {
                // a second writer joins: the first gives partitions up while generation 2 is not durable
                joiner.subscribe(List.of(ChunkTopic.TOPIC));
                Await.until(() -> {
                    joiner.poll(Duration.ofMillis(200));
                    return joiner.assignment().size();
                }, n -> n >= 1, Duration.ofSeconds(90), "the rebalance");
                assertTrue(endOffsets(admin) > durable, "generation 2 is in the topic");
                assertEquals(durable, committedOffsets(admin), "no offset of generation 2 is committed: its END's "
                        + "commit is not durable, and its staged records wait for it");
            } finally {
                release.countDown();
            }
            second.awaitCommitted(ACK);
            assertTrue(writer.writer().catalog().latest(image.volumeId()).orElseThrow().committed());
        }
    }

    private static long committedOffsets(Admin admin) {
        try {
            return admin.listConsumerGroupOffsets("blockferry-target").partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS).values().stream().mapToLong(OffsetAndMetadata::offset).sum();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private long endOffsets(Admin admin) throws Exception {
        var partitions = admin.describeTopics(List.of(ChunkTopic.TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(ChunkTopic.TOPIC).partitions();
        Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
        partitions.forEach(i -> latest.put(new TopicPartition(ChunkTopic.TOPIC, i.partition()),
                org.apache.kafka.clients.admin.OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                .mapToLong(o -> o.offset()).sum();
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(2, TimeUnit.MINUTES));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void should_ignore_forged_acks_that_name_another_snapshot(@TempDir Path data) throws Exception {
        try (BlockferryRuntime source = runtime(data, Map.of("blockferry.roles", "source"));
             TestImage image = new TestImage("volumes", "it-forged-ack", 16L * MiB, 16);
             ChunkTopic topics = new ChunkTopic("127.0.0.1:" + brokerPort)) {
            image.writeRandom(0, 2 * MiB);
            image.snapshot("user-snap");
            GenerationReport pending = source.sync(SyncRequest.full(image.volumeId(), "test"));
            for (String status : List.of("REJECTED", "COMMITTED")) {
                String forged = "{\"volumeId\":\"" + image.volumeId() + "\",\"generation\":" + pending.generation()
                        + ",\"snapshot\":\"user-snap\",\"mode\":\"FULL\",\"status\":\"" + status
                        + "\",\"cause\":\"chunk-corrupt\",\"reason\":\"forged\",\"dataBytes\":0,\"atMillis\":0}";
                topics.publishTo("blockferry.acks", image.volumeId(), forged.getBytes(StandardCharsets.UTF_8));
            }
            // then the target's real answer, on the same partition: once it is acted on, so were the forged ones
            String genuine = "{\"volumeId\":\"" + image.volumeId() + "\",\"generation\":" + pending.generation()
                    + ",\"snapshot\":\"" + pending.snapshot() + "\",\"mode\":\"FULL\",\"status\":\"COMMITTED\","
                    + "\"dataBytes\":0,\"atMillis\":0}";
            topics.publishTo("blockferry.acks", image.volumeId(), genuine.getBytes(StandardCharsets.UTF_8));
            VolumeState state = Await.until(() -> Beans.volumeState(source, image.volumeId()).orElseThrow(),
                    VolumeState::hasBase, Duration.ofSeconds(60), "the genuine ack acted on");
            assertTrue(LocalCeph.snapshots("volumes", image.name).contains("user-snap"), "the user's snapshot stays");
            assertTrue(LocalCeph.snapshots("volumes", image.name).contains(pending.snapshot()),
                    "the pending snapshot stays: it is the base now");
            assertEquals(pending.snapshot(), state.baseSnapshot(), "only the ack naming the pending snapshot moved it");
            assertEquals(pending.generation(), state.baseGeneration());
        }
    }

    @Test
    void should_count_the_ack_timeout_from_publication_not_from_the_snapshot(@TempDir Path data) throws Exception {
        // finding 10 of the audit: a generation slower to publish than the ack timeout is not abandoned
        Map<String, String> settings = Map.of("blockferry.roles", "source", "blockferry.source.ack-timeout-seconds", "4",
                "blockferry.source.bandwidth-limit", "2M");
        try (BlockferryRuntime source = runtime(data, settings);
             TestImage image = new TestImage("volumes", "it-slow-publish", 32L * MiB, 17)) {
            image.writeRandom(0, 12 * MiB);
            long start = System.nanoTime();
            GenerationReport slow = source.sync(SyncRequest.full(image.volumeId(), "test"));
            assertTrue(System.nanoTime() - start > TimeUnit.SECONDS.toNanos(4), "publishing took longer than the timeout");
            RuntimeException busy = assertThrows(RuntimeException.class,
                    () -> Beans.planner(source).snapshot(SyncRequest.incremental(image.volumeId(), "test")));
            assertTrue(busy.getMessage().contains("waiting for the target's ack (published"), busy.getMessage());
            assertEquals(slow.generation(), Beans.volumeState(source, image.volumeId()).orElseThrow().pendingGeneration(),
                    "the generation just published is still the one in flight");
        }
    }
}
