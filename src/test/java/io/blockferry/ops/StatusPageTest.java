package io.blockferry.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.BlockferryRuntime;
import io.blockferry.testing.ApiClient;
import io.blockferry.testing.Await;
import io.blockferry.testing.Beans;
import io.blockferry.testing.Chromium;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.transport.GenerationAck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in Debian's headless Chromium against a real Blockferry with real syncs: the
 * volumes, a missed RPO in red, a progress bar while a (throttled) sync runs, the recovery points
 * on their timeline and the events; leaves target/status-page/status.png and the page's DOM.
 * Tagged "browser": run by scripts/status-page-check.sh (which installs Chromium), not by the
 * default suite.
 */
@Tag("browser")
class StatusPageTest {

    private static final String TOKEN = "it-ops-page-token-5f2a9c71";
    private static final int MiB = 1 << 20;
    private static final Path OUT = Path.of("target", "status-page");
    private static final String NEVER = "\"0 0 3 1 1 ? 2099\"";

    @Test
    void should_show_volumes_a_running_sync_the_points_and_a_missed_rpo_in_red(@TempDir Path data) throws Exception {
        assertTrue(Chromium.installed(), "no Chromium: apt-get install chromium (scripts/status-page-check.sh does)");
        Path policies = data.resolve("policies.yaml");
        Files.writeString(policies, "policies:\n"
                + policy("steady", "volumes/it-ops-page-steady", "rpo: 1h")
                + policy("late", "volumes/it-ops-page-late", "rpo: 2s")
                + policy("slow", "volumes/it-ops-page-slow", "bandwidth-limit: 2M"));
        int port = TestRuntimes.freePort();
        try (BlockferryRuntime runtime = TestRuntimes.start(data, Map.of("camel.server.enabled", "true",
                "camel.server.port", Integer.toString(port), "blockferry.api.token", TOKEN,
                "blockferry.policies.file", policies.toString(), "blockferry.rpo.check-interval", "1s",
                "blockferry.status.history-interval", "1s"));
             TestImage steady = new TestImage("volumes", "it-ops-page-steady", 64L * MiB, 71);
             TestImage late = new TestImage("volumes", "it-ops-page-late", 16L * MiB, 72);
             TestImage slow = new TestImage("volumes", "it-ops-page-slow", 64L * MiB, 73);
             Chromium chromium = Chromium.start(data.resolve("chromium"), 1400, 1000)) {
            ApiClient api = new ApiClient(port, TOKEN);
            steady.writeRandom(0, 12 * MiB);
            late.writeRandom(0, 2 * MiB);
            slow.writeRandom(0, 40 * MiB);
            runPolicy(runtime, api, "steady", steady, 1);
            steady.writeRandom(20L * MiB, 4 * MiB);
            runPolicy(runtime, api, "steady", steady, 2);
            runPolicy(runtime, api, "late", late, 1);
            Await.until(() -> api.get("/api/rpo").body(), rpo -> breached(rpo, late.volumeId()),
                    Duration.ofSeconds(30), "the late volume's breach of its 2 s objective");
            var slowAck = Beans.ackOf(runtime, slow.volumeId(), 1);
            assertEquals(202, api.post("/api/policies/slow/sync").status());

            chromium.open("http://127.0.0.1:" + port + "/status/");
            Await.until(() -> chromium.evaluate("!!document.getElementById('token')"
                    + " && !document.getElementById('login').hidden").asBoolean(), ok -> ok, Duration.ofSeconds(30),
                    "the token form");
            chromium.evaluate("document.getElementById('token').value = '" + TOKEN + "';"
                    + "document.getElementById('login').requestSubmit(); true");
            JsonNode seen = Await.until(() -> chromium.evaluate(PAGE_STATE), state -> shown(state, steady, late, slow),
                    Duration.ofSeconds(60), "the page to show the volumes, the slow sync's bar and the points");

            chromium.screenshot(OUT.resolve("status.png"), 1400);
            String dom = chromium.evaluate("document.documentElement.outerHTML").asText();
            Files.writeString(OUT.resolve("status.html"), dom);

            assertFalse(dom.contains(TOKEN), "the token must never be written into the page");
            assertTrue(seen.path("lateRed").asBoolean(), seen.toString());
            assertFalse(seen.path("steadyRed").asBoolean(), "a volume within its objective is not red: " + seen);
            assertTrue(seen.path("events").asText().contains("rpo-missed"), seen.toString());
            assertTrue(Files.size(OUT.resolve("status.png")) > 30_000, "a screenshot with content");
            GenerationAck done = slowAck.get(2, TimeUnit.MINUTES);
            assertTrue(done.committed(), done.toString());
        }
    }

    /** What the page shows, read from its DOM. */
    private static final String PAGE_STATE = """
            (() => {
              const rows = [...document.querySelectorAll('#volumes tbody tr')].map((r) => r.dataset.volume);
              const bar = document.querySelector('progress[data-volume="volumes/it-ops-page-slow"]');
              const row = (v) => document.querySelector(`#volumes tr[data-volume="${v}"]`);
              const points = (v) => document.querySelectorAll(`.timeline[data-volume="${v}"] .point`).length;
              return {
                loaded: document.body.dataset.loaded === 'true',
                rows,
                barValue: bar && bar.hasAttribute('value') ? bar.value : null,
                barMax: bar ? bar.max : null,
                barText: bar ? bar.parentElement.innerText : null,
                steadyPoints: points('volumes/it-ops-page-steady'),
                latePoints: points('volumes/it-ops-page-late'),
                lateRed: !!row('volumes/it-ops-page-late') && row('volumes/it-ops-page-late').classList.contains('breached'),
                steadyRed: !!row('volumes/it-ops-page-steady') && row('volumes/it-ops-page-steady').classList.contains('breached'),
                events: document.querySelector('#events tbody').innerText,
                chart: document.querySelectorAll('#chart-throughput path').length,
              };
            })()""";

    private static boolean shown(JsonNode s, TestImage... images) {
        if (!s.path("loaded").asBoolean()) {
            return false;
        }
        for (TestImage image : images) {
            boolean listed = false;
            for (JsonNode r : s.path("rows")) {
                listed |= r.asText().equals(image.volumeId());
            }
            if (!listed) {
                return false;
            }
        }
        return s.path("barValue").asDouble(0) > 0 && s.path("barValue").asDouble() < s.path("barMax").asDouble()
                && s.path("steadyPoints").asInt() >= 2 && s.path("latePoints").asInt() >= 1
                && s.path("lateRed").asBoolean() && s.path("events").asText().contains("rpo-missed")
                && s.path("chart").asInt() > 0;
    }

    private static String policy(String name, String volume, String extra) {
        return "  - name: " + name + "\n    schedule: " + NEVER + "\n    select: {volumes: [" + volume + "]}\n    "
                + extra + "\n";
    }

    private static void runPolicy(BlockferryRuntime runtime, ApiClient api, String policy, TestImage image,
                                  long generation) throws Exception {
        var ack = Beans.ackOf(runtime, image.volumeId(), generation);
        ApiClient.Answer run = api.post("/api/policies/" + policy + "/sync");
        assertEquals(202, run.status(), run.body().toString());
        assertTrue(ack.get(2, TimeUnit.MINUTES).committed(), policy + " generation " + generation);
    }

    private static boolean breached(JsonNode rpo, String volumeId) {
        for (JsonNode r : rpo) {
            if (r.path("volumeId").asText().equals(volumeId)) {
                return r.path("breached").asBoolean();
            }
        }
        return false;
    }
}
