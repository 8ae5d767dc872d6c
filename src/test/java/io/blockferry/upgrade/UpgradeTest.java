package io.blockferry.upgrade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.demo.Checksums;
import io.blockferry.testing.Await;
import io.blockferry.testing.BlockferryProcess;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.TestImage;
import io.blockferry.transport.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator upgrades: the previous release (src/test/releases/15ff066) synced a volume twice and
 * was stopped; the current code starts on the same data directory, the same Kafka and the same
 * Ceph, with no migration step, and syncs on incrementally from the old base. Its points, its
 * replica and its source state are read as they are.
 */
class UpgradeTest {

    private static final int MiB = 1 << 20;
    private static final Path PREVIOUS_RELEASE = Path.of("src", "test", "releases", "15ff066");
    private static final Duration SETTLE = Duration.ofSeconds(180);

    @Test
    void should_sync_on_incrementally_from_a_repository_and_state_made_by_the_previous_release(
            @TempDir Path kafkaDir, @TempDir Path data) throws Exception {
        LocalCeph.ensureStarted();
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(kafkaDir, 0, 0, 5 << 20);
             TestImage image = new TestImage("volumes", "it-upgrade", 32L * MiB, 61)) {
            image.writeRandom(0, 12 * MiB);
            String oldBase;
            try (BlockferryProcess old = BlockferryProcess.startRelease(PREVIOUS_RELEASE, data, kafka.bootstrapServers(),
                    Map.of())) {
                sync(old, "/api/volumes/volumes/it-upgrade/sync?mode=full");
                awaitSettled(old, 1);
                image.writeRandom(5L * MiB, 3 * MiB);
                sync(old, "/api/volumes/volumes/it-upgrade/sync?mode=incremental");
                oldBase = awaitSettled(old, 2).path("baseSnapshot").asText();
                assertEquals(List.of(1L, 2L), BlockferryProcess.generations(old.points(image.volumeId())), old.logTail());
                assertEquals(404, old.api().get("/api/volumes/volumes%2Fit-upgrade").status(),
                        "it is the previous release: it does not know volume ids in the path yet");
            }

            image.writeRandom(20L * MiB + 4096, 100_000);
            image.discard(8L * MiB, 4L * MiB);
            try (BlockferryProcess upgraded = BlockferryProcess.start(data, kafka.bootstrapServers(), Map.of(), null,
                    "512m")) {
                JsonNode before = upgraded.volume("volumes%2Fit-upgrade");
                assertEquals(oldBase, before.path("baseSnapshot").asText(), "the old source state is read as it is");
                sync(upgraded, "/api/volumes/volumes%2Fit-upgrade/sync?mode=incremental");
                JsonNode volume = awaitSettled(upgraded, 3);
                assertTrue(volume.path("fullResyncCause").isNull(), "no full resync was needed: " + volume);

                JsonNode points = upgraded.points(image.volumeId());
                assertEquals(List.of(1L, 2L, 3L), BlockferryProcess.generations(points), "the old points are kept: " + points);
                JsonNode newest = points.get(2);
                assertEquals("INCREMENTAL", newest.path("mode").asText(), "synced on incrementally: " + newest);
                assertEquals(oldBase, newest.path("baseSnapshot").asText(), "from the base the old release acked");
                assertTrue(newest.path("dataBytes").asLong() < 4L * MiB, "only what changed was sent: " + newest);
                assertEquals(LocalCeph.exportSha256(image.pool, image.name, newest.path("snapshot").asText()),
                        Checksums.sha256(data.resolve("repository").resolve("volumes%2Fit-upgrade").resolve("replica.img")),
                        "the replica the old release built, with the new generation applied, is the source snapshot");
                assertFalse(upgraded.log().contains("target-files-missing"), "the old repository's files are found");
            }
        }
    }

    private static void sync(BlockferryProcess process, String path) {
        assertEquals(202, process.api().post(path).status(), process.logTail());
    }

    private static JsonNode awaitSettled(BlockferryProcess process, long generation) {
        try {
            return Await.until(() -> process.api().get("/api/volumes/volumes/it-upgrade").body(),
                    v -> v.path("baseGeneration").asLong() >= generation && v.path("pendingGeneration").isNull(), SETTLE,
                    "volumes/it-upgrade acked at generation " + generation);
        } catch (AssertionError e) {
            // the log as it is when the wait failed, not as it was when the wait began
            throw new AssertionError(e.getMessage() + "; volume " + process.api().get("/api/volumes/volumes/it-upgrade")
                    .body() + "; log: " + process.logTail(), e);
        }
    }
}
