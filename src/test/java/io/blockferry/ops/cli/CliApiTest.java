package io.blockferry.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blockferry.BlockferryRuntime;
import io.blockferry.testing.Await;
import io.blockferry.testing.Beans;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a real Blockferry: tables, --json, a missed RPO, and the exit code of an API error. */
class CliApiTest {

    private static final String TOKEN = "it-ops-cli-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Result(int code, String out, String err) {
    }

    @Test
    void should_show_a_missed_rpo_print_the_apis_json_and_exit_1_on_an_api_error(@TempDir Path data) throws Exception {
        Path policies = data.resolve("policies.yaml");
        Files.writeString(policies, """
                policies:
                  - name: tight
                    schedule: "0 0 3 1 1 ? 2099"
                    select: {volumes: [volumes/it-ops-cli]}
                    rpo: 1s
                """);
        int port = TestRuntimes.freePort();
        try (BlockferryRuntime runtime = TestRuntimes.start(data, Map.of("camel.server.enabled", "true",
                "camel.server.port", Integer.toString(port), "blockferry.api.token", TOKEN,
                "blockferry.policies.file", policies.toString(), "blockferry.rpo.check-interval", "1s"));
             TestImage image = new TestImage("volumes", "it-ops-cli", 8L << 20, 81)) {
            image.writeRandom(0, 1 << 20);
            String base = "http://127.0.0.1:" + port;
            var acked = Beans.ackOf(runtime, image.volumeId(), 1);

            Result run = cli(base, "sync", "--policy", "tight", "--json");
            assertEquals(0, run.code(), run.err());
            JsonNode queued = JSON.readTree(run.out());
            assertEquals("tight", queued.path("policy").asText(), run.out());
            assertEquals(1, queued.path("queued").asInt(), run.out());
            assertTrue(acked.get(2, TimeUnit.MINUTES).committed());

            Result status = Await.until(() -> cli(base, "status"), r -> r.out().contains("MISSED"),
                    Duration.ofSeconds(30), "status to show the missed objective");
            assertTrue(status.out().matches("(?s).*\\nvolumes/it-ops-cli +1 +- +\\d+s MISSED +1s .*"), status.out());
            assertTrue(status.out().contains("1 volume(s) missed their recovery-point objective"), status.out());

            JsonNode all = JSON.readTree(cli(base, "status", "--json").out());
            assertEquals("volumes/it-ops-cli", all.path("volumes").path(0).path("volumeId").asText(), all.toString());
            assertEquals("tight", all.path("volumes").path(0).path("policy").asText(), all.toString());
            assertTrue(all.path("rpo").path(0).path("breached").asBoolean(), all.toString());
            assertTrue(all.path("tasks").has("running"), all.toString());

            Result events = Await.until(() -> cli(base, "events", "--type", "rpo-missed"),
                    r -> r.out().contains("volumes/it-ops-cli"), Duration.ofSeconds(30), "the rpo-missed event");
            assertTrue(events.out().matches("(?s)TIME +SEVERITY +TYPE +CAUSE +VOLUME +MESSAGE\\n\\S+ +ERROR +rpo-missed "
                    + "+point-too-old +volumes/it-ops-cli +volume volumes/it-ops-cli missed .*"), events.out());

            JsonNode points = JSON.readTree(cli(base, "points", "volumes/it-ops-cli", "--json").out());
            assertEquals(1, points.path(0).path("generation").asLong(), points.toString());

            Result unknown = cli(base, "sync", "--policy", "nope");
            assertEquals(1, unknown.code());
            assertTrue(unknown.err().startsWith("blockferry: policy 'nope' is not defined") && unknown.err()
                    .contains("(HTTP 404)"), unknown.err());
            Result refused = new Result(new Cli(CliContext.of(base, "wrong", new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(new ByteArrayOutputStream()))).execute("tasks"), "", "");
            assertEquals(1, refused.code(), "a refused token is an API error");
        }
    }

    private static Result cli(String base, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Cli(CliContext.of(base, TOKEN, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))).execute(args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
