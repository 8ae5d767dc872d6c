package io.blockferry.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.blockferry.BlockferryRuntime;
import io.blockferry.inventory.Flavor;
import io.blockferry.inventory.ServerMetadata;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncRequest;
import io.blockferry.testing.Await;
import io.blockferry.testing.Beans;
import io.blockferry.testing.ChunkTopic;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.testing.TopicWatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The target's restore consumer on a real Kafka: stores metadata with its disks' recovery points, dead-letters junk. */
class MetadataConsumeTest {

    private static final Duration WAIT = Duration.ofMinutes(2);

    @Test
    void should_store_metadata_with_the_newest_generation_of_each_disk_and_dead_letter_a_foreign_record(
            @TempDir Path data) throws Exception {
        try (BlockferryRuntime runtime = TestRuntimes.start(data, Map.of());
             TestImage image = new TestImage("volumes", "it-metadata", 8L << 20, 61);
             ChunkTopic producer = new ChunkTopic(runtime.bootstrapServers());
             TopicWatch deadLetters = new TopicWatch(runtime.bootstrapServers(), "blockferry.dead-letters")) {
            image.writeRandom(0, 1 << 20);
            GenerationReport report = runtime.sync(SyncRequest.incremental(image.volumeId(), "test"));
            report.awaitCommitted(WAIT);

            producer.publishTo("blockferry.metadata", "junk", "not json".getBytes(StandardCharsets.UTF_8));
            ServerMetadata sent = new ServerMetadata(ServerMetadata.SCHEMA_VERSION, "s1", "vm1", "p1", "demo", "d1",
                    "Default", "ACTIVE", "node1", "nova", new Flavor("f1", "bf.small", 1, 512, 1), null, null,
                    List.of(), List.of("default"), List.of(), List.of(new ServerMetadata.Disk(0, "/dev/vda", "v1",
                    "boot", 1, "ceph-ssd", true, image.volumeId())), List.of(), 1000);
            producer.publishTo("blockferry.metadata", "s1", new ObjectMapper().writeValueAsBytes(sent));

            ServerMetadataCatalog.Version stored = Await.until(() -> Beans.serverMetadata(runtime).latest("s1"),
                    v -> v.isPresent(), WAIT, "the stored metadata").orElseThrow();
            assertEquals(sent, stored.metadata());
            assertEquals(Map.of(image.volumeId(), report.generation()), stored.generations());
            TopicWatch.Seen dead = deadLetters.await(s -> "junk".equals(s.key()), WAIT, "the foreign record");
            assertEquals("not json", new String(dead.value(), StandardCharsets.UTF_8));
            assertEquals("json-invalid", dead.headers().get("blockferry-cause"), dead.headers().toString());
        }
    }
}
