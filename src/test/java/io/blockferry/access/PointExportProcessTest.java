package io.blockferry.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.testing.ApiClient;
import io.blockferry.testing.Await;
import io.blockferry.testing.BlockferryProcess;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST calls of instant access on a real Blockferry process, and what a kill -9 of it leaves:
 * the export's nbdkit does not outlive it for long, and the next start removes what is left.
 */
class PointExportProcessTest {

    private static final int MiB = 1 << 20;
    private static final Duration WAIT = Duration.ofMinutes(2);

    @Test
    void should_export_close_and_clean_up_after_a_kill_9_through_the_rest_api(@TempDir Path data) throws Exception {
        int port = TestRuntimes.freePort();
        Map<String, String> settings = Map.of("blockferry.access.nbd-port-first", Integer.toString(port),
                "blockferry.access.nbd-port-last", Integer.toString(port + 20));
        try (TestImage image = new TestImage("volumes", "it-nbd-process", 24L * MiB, 81)) {
            image.writeRandom(0, 6 * MiB);
            image.writeRandom(16L * MiB, 3 * MiB);
            long pid;
            Path exportsDir = data.resolve("repository").resolve(".exports");
            try (BlockferryProcess first = BlockferryProcess.start(data, null, settings, null, "512m")) {
                ApiClient api = first.api();
                assertEquals(202, api.post("/api/volumes/" + image.volumeId() + "/sync?mode=full").status());
                JsonNode points = Await.until(() -> first.api().get("/api/volumes/" + image.volumeId() + "/points"),
                        a -> a.status() == 200 && a.body().size() == 1, WAIT, "the first point").body();
                String snapshot = points.get(0).path("snapshot").asText();
                String sourceSha = LocalCeph.exportSha256(image.pool, image.name, snapshot);

                ApiClient.Answer opened = api.post("/api/volumes/volumes/it-nbd-process/exports");
                assertEquals(201, opened.status(), opened.body().toString());
                String id = opened.body().path("id").asText();
                String uri = opened.body().path("uri").asText();
                assertEquals(1, opened.body().path("generation").asLong());
                assertFalse(opened.body().path("writable").asBoolean());
                assertEquals(sourceSha, PointExportTest.nbdcopySha(uri));
                assertEquals(id, api.get("/api/exports").body().get(0).path("id").asText());
                assertEquals(uri, api.get("/api/exports/" + id).body().path("uri").asText());
                assertEquals(404, api.post("/api/volumes/volumes/it-nbd-process/exports?point=7").status());
                assertEquals(400, api.post("/api/volumes/volumes/it-nbd-process/exports?point=x").status());
                assertEquals(200, api.delete("/api/exports/" + id).status());
                assertEquals(404, api.get("/api/exports/" + id).status());
                assertEquals(0, api.get("/api/exports").body().size());

                // the CLI's three commands
                String mounted = first.cli("mount", image.volumeId(), "--point", "1");
                assertTrue(mounted.matches("(?s)Export (x[0-9a-f]{8}): volumes/it-nbd-process point 1 \\(24\\.0M, "
                        + "read-only\\) at nbd://127\\.0\\.0\\.1:\\d+\n.*"), mounted);
                String cliId = mounted.substring("Export ".length(), "Export ".length() + 9);
                assertEquals(sourceSha, PointExportTest.nbdcopySha(
                        api.get("/api/exports/" + cliId).body().path("uri").asText()));
                String listed = first.cli("mounts");
                assertTrue(listed.startsWith("ID ") && listed.contains(cliId) && listed.contains("read-only"), listed);
                assertEquals("Export " + cliId + " of volumes/it-nbd-process point 1 closed\n",
                        first.cli("unmount", cliId));
                assertEquals("No open export.\n", first.cli("mounts"));

                ApiClient.Answer writable = api.post("/api/volumes/volumes%2Fit-nbd-process/exports?writable=true&point=1");
                assertEquals(201, writable.status(), writable.body().toString());
                assertTrue(writable.body().path("writable").asBoolean());
                pid = writable.body().path("pid").asLong();
                assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
                first.kill();
            }
            // Debian's nbdkit asks for SIGTERM when its parent dies (PR_SET_PDEATHSIG): it ends with Blockferry
            Await.until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), alive -> !alive,
                    Duration.ofSeconds(30), "the killed Blockferry's nbdkit to end");
            try (Stream<Path> left = Files.list(exportsDir)) {
                assertEquals(1, left.count(), "a kill -9 leaves the export's directory (links, map, pid file)");
            }
            long openAtStop;
            try (BlockferryProcess second = BlockferryProcess.start(data, null, settings, null, "512m")) {
                assertTrue(second.log().contains("Removed what a stopped Blockferry left of its NBD exports"),
                        second.logTail());
                try (Stream<Path> left = Files.list(exportsDir)) {
                    assertEquals(0, left.count(), "the next start removed it");
                }
                assertEquals(0, second.api().get("/api/exports").body().size());
                ApiClient.Answer open = second.api().post("/api/volumes/volumes/it-nbd-process/exports");
                assertEquals(201, open.status(), open.body().toString());
                openAtStop = open.body().path("pid").asLong();
            }
            // a stop (SIGTERM) closes the exports: their nbdkit gone, their directories removed
            assertFalse(ProcessHandle.of(openAtStop).map(ProcessHandle::isAlive).orElse(false), "nbdkit stopped");
            try (Stream<Path> left = Files.list(exportsDir)) {
                assertEquals(0, left.count(), "a stop removes the exports' directories");
            }
        }
    }
}
