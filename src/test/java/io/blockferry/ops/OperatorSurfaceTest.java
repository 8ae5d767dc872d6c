package io.blockferry.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blockferry.BlockferryRuntime;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncRequest;
import io.blockferry.testing.Beans;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.transport.GenerationAck;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The REST API, health and metrics of a running Blockferry, over real HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorSurfaceTest {

    private static final String TOKEN = "test-token-7d1c";
    private static final String JOLOKIA_LOGIN = "Basic " + java.util.Base64.getEncoder()
            .encodeToString(("blockferry:" + TOKEN).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private BlockferryRuntime runtime;
    private TestImage image;
    private String api;
    private String observe;

    @BeforeAll
    void start(@TempDir Path data) throws IOException {
        int apiPort = TestRuntimes.freePort();
        int managementPort = TestRuntimes.freePort();
        runtime = TestRuntimes.start(data, Map.of("camel.server.enabled", "true",
                "camel.server.port", Integer.toString(apiPort), "camel.management.enabled", "true",
                "camel.management.port", Integer.toString(managementPort), "blockferry.api.token", TOKEN));
        api = "http://127.0.0.1:" + apiPort + "/api";
        observe = "http://127.0.0.1:" + managementPort + "/observe";
        image = new TestImage("volumes", "it-api", 8L << 20, 51);
        image.writeRandom(0, 3 << 20);
        GenerationReport report = runtime.sync(SyncRequest.incremental(image.volumeId(), "test"));
        report.awaitCommitted(Duration.ofMinutes(2));
    }

    @AfterAll
    void stop() {
        image.close();
        runtime.close();
    }

    @Test
    void should_refuse_requests_without_the_token() throws Exception {
        HttpResponse<String> none = get(api + "/volumes", null);
        HttpResponse<String> wrong = get(api + "/volumes", "not-the-token");
        HttpResponse<String> write = send(HttpRequest.newBuilder(URI.create(api + "/volumes/volumes/it-api/sync"))
                .POST(HttpRequest.BodyPublishers.noBody()).build());

        assertEquals(401, none.statusCode());
        assertEquals(401, wrong.statusCode());
        assertEquals(401, write.statusCode());
        assertTrue(json.readTree(none.body()).path("error").asText().contains("Bearer"), none.body());
    }

    @Test
    void should_list_volumes_with_their_base_and_rpo() throws Exception {
        HttpResponse<String> response = get(api + "/volumes", TOKEN);
        assertEquals(200, response.statusCode());
        JsonNode volume = find(json.readTree(response.body()), "volumeId", image.volumeId());
        assertTrue(volume.path("baseSnapshot").asText().startsWith("blockferry-g"), volume.toString());
        assertTrue(volume.path("rpoSeconds").asLong(-1) >= 0, volume.toString());
        assertTrue(Instant.parse(volume.path("lastSyncAt").asText()).isAfter(Instant.now().minusSeconds(600)),
                volume.toString());

        assertEquals(200, get(api + "/volumes/volumes/it-api", TOKEN).statusCode());
        HttpResponse<String> unknown = get(api + "/volumes/volumes/never-synced", TOKEN);
        assertEquals(404, unknown.statusCode());
        assertTrue(json.readTree(unknown.body()).path("error").asText().contains("never been synced"));
    }

    @Test
    void should_answer_400_to_a_bad_sync_request_and_run_a_good_one() throws Exception {
        HttpResponse<String> bad = post(api + "/volumes/volumes/it-api/sync?mode=sideways");
        assertEquals(400, bad.statusCode());
        assertTrue(json.readTree(bad.body()).path("error").asText().contains("use full or incremental"));

        CompletableFuture<GenerationAck> acked = Beans.ackOf(runtime, image.volumeId(), 2);
        HttpResponse<String> queued = post(api + "/volumes/volumes/it-api/sync?mode=full");
        assertEquals(202, queued.statusCode());
        assertEquals("queued", json.readTree(queued.body()).path("status").asText());
        assertTrue(acked.get(60, TimeUnit.SECONDS).committed(), "the requested sync was committed");

        HttpResponse<String> points = get(api + "/volumes/volumes/it-api/points", TOKEN);
        assertEquals(200, points.statusCode());
        JsonNode list = json.readTree(points.body());
        assertTrue(list.size() >= 2, points.body());
        assertEquals("FULL", list.get(list.size() - 1).path("mode").asText());
        assertEquals(404, get(api + "/volumes/volumes/nothing/points", TOKEN).statusCode());
    }

    @Test
    void should_address_a_volume_by_its_url_encoded_id_as_well_as_by_pool_and_image() throws Exception {
        for (String id : new String[] {"volumes%2Fit-api", "rbd%3Avolumes%2Fit-api"}) {
            HttpResponse<String> volume = get(api + "/volumes/" + id, TOKEN);
            assertEquals(200, volume.statusCode(), id + ": " + volume.body());
            assertEquals(image.volumeId(), json.readTree(volume.body()).path("volumeId").asText(),
                    "the default backend's scheme is not part of the id");
            HttpResponse<String> points = get(api + "/volumes/" + id + "/points", TOKEN);
            assertEquals(200, points.statusCode(), id + ": " + points.body());
            assertTrue(points.body().contains("\"volumeId\":\"" + image.volumeId() + "\""), points.body());
        }
        HttpResponse<String> queued = post(api + "/volumes/volumes%2Fit-api/sync?mode=sideways");
        assertEquals(400, queued.statusCode(), "the id form reaches the same checks: " + queued.body());
        HttpResponse<String> unknown = get(api + "/volumes/nowhere%3Avolumes%2Fit-api", TOKEN);
        assertEquals(404, unknown.statusCode(), unknown.body());
        HttpResponse<String> malformed = get(api + "/volumes/no-slash-here", TOKEN);
        assertEquals(400, malformed.statusCode(), malformed.body());
        assertTrue(json.readTree(malformed.body()).path("error").asText().contains("pool/name"), malformed.body());
    }

    @Test
    void should_report_health_of_ceph_kafka_and_the_state_stores() throws Exception {
        HttpResponse<String> response = get(observe + "/health?exposureLevel=full", null);
        assertEquals(200, response.statusCode(), response.body());
        String body = response.body();
        for (String check : new String[] {"ceph", "source-state-store", "target-state-store"}) {
            assertTrue(body.contains("\"" + check + "\""), check + " in " + body);
        }
        assertTrue(body.contains("\"status\": \"UP\"") || body.contains("\"status\":\"UP\""), body);
    }

    @Test
    void should_expose_blockferry_metrics_for_prometheus() throws Exception {
        String body = get(observe + "/metrics", null).body();
        assertTrue(body.contains("blockferry_sent_bytes_total{mode=\"full\"}"), body);
        assertTrue(body.contains("blockferry_generations_total{outcome=\"committed\",side=\"source\"}"), body);
        assertTrue(body.contains("blockferry_written_bytes_total"), body);
        assertTrue(body.contains("blockferry_rpo_seconds{volume=\"volumes/it-api\"}"), body);
    }

    @Test
    void should_serve_jolokia_for_hawtio_but_deny_the_jvms_diagnostic_commands() throws Exception {
        HttpResponse<String> routes = jolokiaGet(observe + "/jolokia/search/org.apache.camel:type=routes,*");
        assertEquals(200, routes.statusCode());
        assertTrue(routes.body().contains("volume-sync"), routes.body());

        HttpResponse<String> denied = jolokiaGet(observe
                + "/jolokia/exec/com.sun.management:type=DiagnosticCommand/vmSystemProperties");
        assertDenied(denied);
    }

    @Test
    void should_refuse_jolokia_without_its_login_and_from_any_web_page() throws Exception {
        String route = "org.apache.camel:context=blockferry,type=routes,name=%22ack-consume%22";
        String stop = observe + "/jolokia/exec/" + route + "/stop()";
        String state = observe + "/jolokia/read/" + route + "/State";
        String wrong = "Basic " + java.util.Base64.getEncoder().encodeToString("blockferry:guess".getBytes());

        HttpResponse<String> anonymous = send(HttpRequest.newBuilder(URI.create(stop)).GET().build());
        HttpResponse<String> guessed = send(HttpRequest.newBuilder(URI.create(stop)).header("Authorization", wrong)
                .GET().build());
        HttpResponse<String> anonymousPost = send(HttpRequest.newBuilder(URI.create(observe + "/jolokia"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"type\":\"exec\",\"mbean\":\"" + route.replace("%22", "\\\"") + "\",\"operation\":\"stop()\"}"))
                .build());
        // a page in the operator's browser (CSRF): it may even carry the login the browser remembered
        HttpResponse<String> crossOrigin = send(HttpRequest.newBuilder(URI.create(stop)).header("Authorization", JOLOKIA_LOGIN)
                .header("Origin", "http://evil.example").GET().build());
        HttpResponse<String> referred = send(HttpRequest.newBuilder(URI.create(stop)).header("Authorization", JOLOKIA_LOGIN)
                .header("Referer", "http://127.0.0.1:8090/somewhere").GET().build());

        assertEquals(401, anonymous.statusCode(), anonymous.body());
        assertEquals(401, guessed.statusCode(), guessed.body());
        assertEquals(401, anonymousPost.statusCode(), anonymousPost.body());
        assertDenied(crossOrigin);
        assertDenied(referred);
        HttpResponse<String> read = jolokiaGet(state);
        assertEquals(200, read.statusCode(), read.body());
        assertEquals("Started", json.readTree(read.body()).path("value").asText(), "ack-consume still runs: " + read.body());
        assertEquals(200, get(observe + "/health", null).statusCode(), "health needs no login");
        assertEquals(200, get(observe + "/metrics", null).statusCode(), "metrics need no login");
    }

    @Test
    void should_let_hawtio_run_the_camel_views_operations_but_not_change_routes_or_send_messages() throws Exception {
        String route = json.readTree(jolokiaGet(observe + "/jolokia/search/org.apache.camel:type=routes,name=%22volume-sync%22,*").body()).path("value").path(0).asText();
        String context = json.readTree(jolokiaGet(observe + "/jolokia/search/org.apache.camel:type=context,*").body())
                .path("value").path(0).asText();

        HttpResponse<String> stats = jolokia(Map.of("type", "exec", "mbean", route,
                "operation", "dumpRouteStatsAsXml(boolean,boolean)", "arguments", new Object[] {false, false}));
        assertEquals(200, json.readTree(stats.body()).path("status").asInt(), stats.body());
        assertTrue(stats.body().contains("volume-sync"), stats.body());

        assertDenied(jolokia(Map.of("type", "exec", "mbean", context, "operation", "addOrUpdateRoutesFromXml(java.lang.String)",
                "arguments", new Object[] {"<routes/>"})));
        assertDenied(jolokia(Map.of("type", "exec", "mbean", route, "operation", "remove()")));
        assertDenied(jolokia(Map.of("type", "write", "mbean", route, "attribute", "TracingPattern", "value", "*")));
    }

    private void assertDenied(HttpResponse<String> response) throws IOException {
        JsonNode answer = json.readTree(response.body());
        assertTrue(response.statusCode() == 403 || answer.path("status").asInt() == 403, response.body());
    }

    private HttpResponse<String> jolokia(Map<String, Object> request) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(observe + "/jolokia")).header("Content-Type", "application/json")
                .header("Authorization", JOLOKIA_LOGIN).POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(request))).build());
    }

    /** A GET of Jolokia with its login (blockferry.jolokia.user, and the API token as the password). */
    private HttpResponse<String> jolokiaGet(String url) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", JOLOKIA_LOGIN).GET().build());
    }

    private HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.build());
    }

    private HttpResponse<String> post(String url) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode node : array) {
            if (value.equals(node.path(field).asText())) {
                return node;
            }
        }
        throw new AssertionError("no " + field + "=" + value + " in " + array);
    }
}
