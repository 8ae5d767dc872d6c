package io.blockferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.BlockferryRuntime;
import io.blockferry.source.SyncRequest;
import io.blockferry.testing.Beans;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.transport.GenerationAck;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 15: two source installations with the default configuration on one Kafka. Each reads
 * every ack in a consumer group of its own, so neither drops the other's; with one shared group
 * the acks topic's two partitions would be split between them and some acks lost.
 */
class TwoSourcesTest {

    private static final int MiB = 1 << 20;
    private static final int PARTITIONS = 2; // TestRuntimes' topics

    /** Volume names of source B whose acks land on both partitions of the acks topic. */
    private static List<String> namesOnBothPartitions() {
        List<String> names = new ArrayList<>();
        boolean[] seen = new boolean[PARTITIONS];
        for (int n = 1; names.size() < PARTITIONS; n++) {
            String name = "it-two-b" + n;
            int partition = Utils.toPositive(Utils.murmur2(("volumes/" + name).getBytes(StandardCharsets.UTF_8)))
                    % PARTITIONS;
            if (!seen[partition]) {
                seen[partition] = true;
                names.add(name);
            }
        }
        return names;
    }

    @Test
    void should_let_two_sources_with_default_settings_each_receive_their_own_acks(@TempDir Path a, @TempDir Path b)
            throws Exception {
        List<String> names = namesOnBothPartitions();
        try (TestImage imageA = new TestImage("volumes", "it-two-a", 8L * MiB, 51);
             TestImage imageB1 = new TestImage("volumes", names.get(0), 8L * MiB, 52);
             TestImage imageB2 = new TestImage("volumes", names.get(1), 8L * MiB, 53);
             BlockferryRuntime siteA = TestRuntimes.start(a, Map.of());
             BlockferryRuntime siteB = TestRuntimes.start(b, Map.of("blockferry.roles", "source",
                     "blockferry.kafka.bootstrap-servers", siteA.bootstrapServers()))) {
            assertNotEquals(Files.readString(a.resolve("installation-id")), Files.readString(b.resolve("installation-id")));
            for (TestImage image : List.of(imageA, imageB1, imageB2)) {
                image.writeRandom(0, 2 * MiB);
            }
            for (long generation = 1; generation <= 2; generation++) {
                CompletableFuture<GenerationAck> ackA = Beans.ackOf(siteA, imageA.volumeId(), generation);
                CompletableFuture<GenerationAck> ackB1 = Beans.ackOf(siteB, imageB1.volumeId(), generation);
                CompletableFuture<GenerationAck> ackB2 = Beans.ackOf(siteB, imageB2.volumeId(), generation);
                siteA.sync(SyncRequest.incremental(imageA.volumeId(), "test"));
                siteB.sync(SyncRequest.incremental(imageB1.volumeId(), "test"));
                siteB.sync(SyncRequest.incremental(imageB2.volumeId(), "test"));
                for (CompletableFuture<GenerationAck> ack : List.of(ackA, ackB1, ackB2)) {
                    GenerationAck received = ack.get(2, TimeUnit.MINUTES);
                    assertTrue(received.committed(), received.toString());
                }
                assertEquals(generation, Beans.volumeState(siteB, imageB2.volumeId()).orElseThrow().baseGeneration(),
                        "source B moved its base on its own ack");
                imageB1.writeRandom(4L * MiB, MiB);
                imageB2.writeRandom(4L * MiB, MiB);
                imageA.writeRandom(4L * MiB, MiB);
            }
        }
    }
}
