package io.blockferry.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.demo.Checksums;
import io.blockferry.testing.Await;
import io.blockferry.testing.BlockferryProcess;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.TestImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four volumes synced at once by one Blockferry in a 256 MiB heap, with its Kafka broker in the same
 * JVM (the demo's layout, the tightest): no OutOfMemoryError, every replica bit-identical, and the
 * target wrote them in parallel (the intervals from each generation's BEGIN to its commit overlap).
 */
class FourVolumesTest {

    private static final int MiB = 1 << 20;

    @Test
    void should_sync_four_volumes_at_once_in_a_256_MiB_heap(@TempDir Path data) throws Exception {
        LocalCeph.ensureStarted();
        List<TestImage> images = new ArrayList<>();
        try (BlockferryProcess blockferry = BlockferryProcess.start(data, null,
                Map.of("blockferry.source.ack-timeout-seconds", "3600"), null, "256m")) {
            for (int i = 0; i < 4; i++) {
                TestImage image = new TestImage("volumes", "it-four-" + i, 192L * MiB, 40 + i);
                images.add(image);
                image.writeRandom(0, 96 * MiB);
                image.writeRandom(128L * MiB, 32 * MiB);
            }
            for (TestImage image : images) {
                assertEquals(202, blockferry.api().post("/api/volumes/" + image.volumeId() + "/sync?mode=full").status());
            }
            List<JsonNode> points = new ArrayList<>();
            for (TestImage image : images) {
                JsonNode point = Await.until(() -> blockferry.points(image.volumeId()),
                        p -> p.isArray() && p.size() == 1, Duration.ofMinutes(5),
                        "the point of " + image.volumeId() + " (log: " + blockferry.logTail() + ")").get(0);
                points.add(point);
                Path replica = data.resolve("repository").resolve(image.volumeId().replace("/", "%2F"))
                        .resolve("replica.img");
                assertEquals(LocalCeph.exportSha256(image.pool, image.name, point.get("snapshot").asText()),
                        Checksums.sha256(replica), image.volumeId() + " is bit-identical");
            }
            long lastBegin = points.stream().mapToLong(p -> p.get("receivedAtMillis").asLong()).max().orElseThrow();
            long firstCommit = points.stream().mapToLong(p -> p.get("createdAtMillis").asLong()).min().orElseThrow();
            assertTrue(lastBegin < firstCommit, "the four generations were written at once: the last BEGIN arrived at "
                    + lastBegin + ", before the first commit at " + firstCommit + ": " + points);
            assertTrue(blockferry.alive());
            assertFalse(blockferry.log().contains("OutOfMemoryError"), "no OutOfMemoryError");
        } finally {
            images.forEach(TestImage::close);
        }
    }
}
