package io.blockferry.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blockferry.BlockferryRuntime;
import io.blockferry.testing.ApiClient;
import io.blockferry.testing.Await;
import io.blockferry.testing.Beans;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page's files and the endpoints it reads (events, history, RPO, servers), and the
 * RPO metrics, over real HTTP against a Blockferry that synced a volume whose 1 s objective it misses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusApiTest {

    private static final String TOKEN = "it-ops-status-token-91c3";
    private static final String VOLUME = "volumes/it-ops-status";
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private BlockferryRuntime runtime;
    private TestImage image;
    private ApiClient api;
    private String base;
    private String metrics;

    @BeforeAll
    void start(@TempDir Path data) throws Exception {
        Path policies = data.resolve("policies.yaml");
        Files.writeString(policies, "policies:\n  - name: tight\n    schedule: \"0 0 3 1 1 ? 2099\"\n"
                + "    select: {volumes: [" + VOLUME + "]}\n    rpo: 1s\n");
        int port = TestRuntimes.freePort();
        int management = TestRuntimes.freePort();
        runtime = TestRuntimes.start(data, Map.of("camel.server.enabled", "true",
                "camel.server.port", Integer.toString(port), "blockferry.api.token", TOKEN,
                "camel.management.enabled", "true", "camel.management.port", Integer.toString(management),
                "blockferry.policies.file", policies.toString(), "blockferry.rpo.check-interval", "1s",
                "blockferry.status.history-interval", "1s"));
        base = "http://127.0.0.1:" + port;
        metrics = "http://127.0.0.1:" + management + "/observe/metrics";
        api = new ApiClient(port, TOKEN);
        image = new TestImage("volumes", "it-ops-status", 16L << 20, 91);
        image.writeRandom(0, 6 << 20);
        var acked = Beans.ackOf(runtime, VOLUME, 1);
        assertEquals(202, api.post("/api/policies/tight/sync").status());
        assertTrue(acked.get(2, TimeUnit.MINUTES).committed());
    }

    @AfterAll
    void stop() {
        image.close();
        runtime.close();
    }

    @Test
    void should_serve_the_page_with_a_strict_content_policy_and_only_its_own_files() throws Exception {
        HttpResponse<String> page = get("/status/");
        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElse(""));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
        assertTrue(page.body().contains("<title>Blockferry status</title>"), page.body());
        assertFalse(page.body().contains(TOKEN));

        HttpResponse<String> bare = get("/status");
        assertEquals(301, bare.statusCode());
        assertEquals("/status/", bare.headers().firstValue("Location").orElse(""));
        assertEquals("text/javascript; charset=utf-8", get("/status/status.js").headers()
                .firstValue("Content-Type").orElse(""));
        assertEquals(404, get("/status/..%2Fconfig%2Fapplication.properties").statusCode());
        assertEquals(404, get("/status/log4j2.properties").statusCode());
    }

    @Test
    void should_refuse_the_new_endpoints_without_the_token() throws Exception {
        for (String path : new String[] {"/api/events", "/api/history", "/api/rpo", "/api/servers"}) {
            assertEquals(401, get(path).statusCode(), path);
        }
    }

    @Test
    void should_list_the_rpo_breach_its_event_and_the_metrics() throws Exception {
        JsonNode rpo = Await.until(() -> api.get("/api/rpo").body(), r -> r.path(0).path("breached").asBoolean(),
                Duration.ofSeconds(30), "the breach of the 1 s objective");
        assertEquals(VOLUME, rpo.path(0).path("volumeId").asText());
        assertEquals("tight", rpo.path(0).path("policy").asText());
        assertEquals(1, rpo.path(0).path("objectiveSeconds").asLong());

        JsonNode events = Await.until(() -> api.get("/api/events?volume=" + VOLUME).body(), e -> e.size() > 0,
                Duration.ofSeconds(30), "the rpo-missed event");
        assertEquals("rpo-missed", events.path(0).path("type").asText(), events.toString());
        assertEquals(400, api.get("/api/events?limit=0").status());
        assertEquals(0, api.get("/api/events?volume=volumes/other").body().size());

        String series = Await.until(() -> text(metrics), m -> m.contains("blockferry_rpo_breached{volume=\"" + VOLUME
                + "\"} 1.0"), Duration.ofSeconds(30), "blockferry_rpo_breached at 1");
        assertTrue(series.contains("blockferry_rpo_objective_seconds{volume=\"" + VOLUME + "\"} 1.0"), series);
        assertTrue(series.contains("blockferry_events_total{type=\"sync-failed\"} 0.0"), series);
        assertTrue(series.contains("blockferry_events_total{type=\"rpo-missed\"} 1.0"), series);
    }

    @Test
    void should_sample_the_history_with_the_streamed_bytes_and_the_rpo() {
        JsonNode history = Await.until(() -> api.get("/api/history").body(),
                h -> h.path("samples").size() > 1 && last(h).path("worstRpoSeconds").asLong(-1) >= 0,
                Duration.ofSeconds(30), "samples with an RPO");
        assertEquals(1.0, history.path("intervalSeconds").asDouble());
        double streamed = 0;
        for (JsonNode s : history.path("samples")) {
            streamed += s.path("sentMegabytesPerSecond").asDouble();
        }
        assertTrue(streamed > 0, "the sync's bytes appear in the history: " + history);
        assertTrue(last(history).path("rpoBreached").asInt() <= 1, history.toString());
    }

    @Test
    void should_answer_no_servers_without_the_openstack_inventory() {
        JsonNode servers = api.get("/api/servers").body();
        assertFalse(servers.path("enabled").asBoolean(), servers.toString());
        assertEquals(0, servers.path("servers").size());
    }

    private static JsonNode last(JsonNode history) {
        JsonNode samples = history.path("samples");
        return samples.path(samples.size() - 1);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String text(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
