package io.blockferry.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.blockferry.BlockferryRuntime;
import io.blockferry.demo.Checksums;
import io.blockferry.source.SyncProgress;
import io.blockferry.source.SyncRequest;
import io.blockferry.testing.Await;
import io.blockferry.testing.Beans;
import io.blockferry.testing.KafkaCluster;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.transport.GenerationAck;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blockferry on the three-broker KRaft cluster of scripts/kafka-cluster.sh: its topics are created
 * with replication 3 (the default, replication-factor 0, takes what the cluster allows), and a
 * kill -9 of the broker leading the volume's chunk partition in the middle of a full sync loses
 * nothing and leaves no volume stuck: the generation commits, bit-identical to its snapshot, and
 * the next incremental follows.
 */
@Tag("cluster")
class BrokerKillSyncTest {

    private static final int MiB = 1 << 20;

    @Test
    void should_finish_a_sync_bit_identically_when_a_broker_dies_in_its_middle(@TempDir Path data) throws Exception {
        KafkaCluster.ensureStarted();
        String prefix = "bk-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> keys = new HashMap<>();
        keys.put("blockferry.kafka.bootstrap-servers", KafkaCluster.bootstrapServers());
        for (String topic : List.of("chunk", "ack", "event", "dead-letter", "request", "metadata")) {
            keys.put("blockferry.kafka." + topic + "-topic", prefix + "." + topic);
        }
        keys.put("blockferry.kafka.target-group", prefix + "-target");
        keys.put("blockferry.kafka.metadata-group", prefix + "-metadata");
        keys.put("blockferry.kafka.partitions", "3");
        // slow enough that the broker dies mid-stream: 96 MiB at 16 MB/s
        keys.put("blockferry.source.bandwidth-limit", "16M");
        try (TestImage image = new TestImage("volumes", "it-broker-kill", 96L * MiB, 71);
             BlockferryRuntime runtime = TestRuntimes.start(data, keys);
             Admin admin = KafkaCluster.admin()) {
            KafkaCluster.replicas(admin, prefix + ".chunk").forEach((p, ids) ->
                    assertEquals(3, ids.size(), "replicas of chunk partition " + p));
            image.writeRandom(0, 80 * MiB);
            String volume = image.volumeId();
            int partition = org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
                    volume.getBytes(StandardCharsets.UTF_8))) % 3;
            int victim = KafkaCluster.leader(admin, prefix + ".chunk", partition);
            try {
                CompletableFuture<GenerationAck> first = Beans.ackOf(runtime, volume, 1);
                CompletableFuture.runAsync(() -> runtime.sync(SyncRequest.full(volume, "test")));
                SyncProgress progress = Beans.of(runtime, "syncProgress", SyncProgress.class);
                Await.until(progress::running, r -> r.stream().anyMatch(s -> s.volumeId().equals(volume)
                        && s.bytesDone() > 8L * MiB && s.bytesDone() < s.bytesTotal() / 2), Duration.ofSeconds(120),
                        "the full sync of " + volume + " under way");
                KafkaCluster.killBroker(victim);
                GenerationAck ack = first.get(5, TimeUnit.MINUTES);
                assertEquals("FULL", ack.mode(), "the generation survived the broker's death: " + ack);
                assertEquals(LocalCeph.exportSha256(image.pool, image.name, ack.snapshot()),
                        Checksums.sha256(replica(data, volume)), "the replica is the snapshot, bit for bit");

                image.writeRandom(40L * MiB, 4 * MiB);
                CompletableFuture<GenerationAck> second = Beans.ackOf(runtime, volume, 2);
                runtime.sync(SyncRequest.incremental(volume, "test"));
                GenerationAck next = second.get(5, TimeUnit.MINUTES);
                assertEquals("INCREMENTAL", next.mode(), "no volume stuck, no full resync: " + next);
                assertEquals(LocalCeph.exportSha256(image.pool, image.name, next.snapshot()),
                        Checksums.sha256(replica(data, volume)));
            } finally {
                KafkaCluster.ensureAllRunning();
            }
        }
    }

    private static Path replica(Path data, String volumeId) {
        return data.resolve("repository").resolve(URLEncoder.encode(volumeId, StandardCharsets.UTF_8))
                .resolve("replica.img");
    }
}
