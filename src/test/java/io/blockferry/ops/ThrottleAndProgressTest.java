package io.blockferry.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blockferry.BlockferryRuntime;
import io.blockferry.testing.Beans;
import io.blockferry.transport.GenerationAck;
import io.blockferry.source.SyncRequest;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bandwidth cap bounds a sync from below, and a running sync's progress is visible through the API. */
class ThrottleAndProgressTest {

    private static final int MiB = 1 << 20;
    private static final String TOKEN = "progress-token";

    @Test
    void should_take_at_least_size_over_cap_and_show_progress_while_running(@TempDir Path data) throws Exception {
        int port = TestRuntimes.freePort();
        long cap = 4L * MiB;
        long written = 12L * MiB;
        try (BlockferryRuntime runtime = TestRuntimes.start(data, Map.of("blockferry.source.bandwidth-limit", "4M",
                "camel.server.enabled", "true", "camel.server.port", Integer.toString(port),
                "blockferry.api.token", TOKEN));
             TestImage image = new TestImage("volumes", "it-throttle", 16L * MiB, 61)) {
            image.writeRandom(0, (int) written);

            CompletableFuture<GenerationAck> ack = Beans.ackOf(runtime, image.volumeId(), 1);
            long start = System.nanoTime();
            Beans.submit(runtime, SyncRequest.incremental(image.volumeId(), "test"));
            JsonNode task = awaitRunningTask(port, image.volumeId(), Duration.ofSeconds(30));
            GenerationAck committed = ack.get(2, TimeUnit.MINUTES);
            double seconds = (System.nanoTime() - start) / 1e9;

            assertTrue(committed.committed(), committed.toString());
            assertEquals(written, committed.dataBytes());
            JsonNode running = task.path("progress");
            assertTrue(seconds >= (double) (written - cap) / cap,
                    "a 4 MiB/s cap with one second of burst needs at least 2 s for 12 MiB; took " + seconds);
            assertEquals(written, running.path("bytesTotal").asLong(), running.toString());
            assertTrue(running.path("bytesDone").asLong() < written, running.toString());
            assertEquals("full", running.path("mode").asText());
        }
    }

    /** Polls GET /api/tasks until the volume's running task shows progress part-way; the throttle keeps it running. */
    private static JsonNode awaitRunningTask(int port, String volumeId, Duration timeout) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/tasks"))
                .header("Authorization", "Bearer " + TOKEN).GET().build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            for (JsonNode task : new ObjectMapper().readTree(response.body()).path("running")) {
                if (volumeId.equals(task.path("volumeId").asText())
                        && task.path("progress").path("bytesDone").asLong() > 0) {
                    return task;
                }
            }
        }
        throw new AssertionError("no running sync of " + volumeId + " seen on /api/tasks within " + timeout);
    }
}
