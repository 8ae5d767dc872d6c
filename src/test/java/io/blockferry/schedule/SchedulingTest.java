package io.blockferry.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.BlockferryRuntime;
import io.blockferry.ops.cli.Cli;
import io.blockferry.ops.cli.CliException;
import io.blockferry.source.SyncRequest;
import io.blockferry.testing.ApiClient;
import io.blockferry.testing.Await;
import io.blockferry.testing.Beans;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.testing.TopicWatch;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policies on the real Quartz scheduler, the work queue's caps and timeout, and their REST API. */
class SchedulingTest {

    private static final long MiB = 1 << 20;
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String TOKEN = "schedule-token";
    private static final Pattern RUN = Pattern.compile("run (\\d+)");

    private static List<TestImage> images(String prefix, int count) {
        List<TestImage> images = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            TestImage image = new TestImage("volumes", prefix + i, 4 * MiB, 70 + i);
            image.writeRandom(0, (int) MiB);
            images.add(image);
        }
        return images;
    }

    private static void closeAll(List<TestImage> images) {
        images.forEach(TestImage::close);
    }

    /** A hook that takes {@code seconds}: it makes a run slow enough to be fired at again while it runs. */
    private static String slowHook(int seconds) {
        return "    pre-snapshot:\n      command: sleep " + seconds + "\n      timeout: 30s\n";
    }

    @Test
    void should_fire_a_policy_on_its_cron_and_never_start_a_slow_run_twice(@TempDir Path data) throws Exception {
        List<TestImage> images = images("it-sched-cron-", 2);
        Path policies = data.resolve("policies.yaml");
        Files.writeString(policies, """
                policies:
                  - name: every-second
                    schedule: "* * * * * ?"
                    select: {volumes: [volumes/it-sched-cron-*]}
                """ + slowHook(2));
        try (BlockferryRuntime runtime = TestRuntimes.start(data, Map.of("blockferry.policies.file",
                policies.toString(), "blockferry.queue.dispatch-interval", "200ms"));
             TopicWatch events = TopicWatch.events(runtime.bootstrapServers())) {
            List<FinishedTask> done = Await.until(Beans.queue(runtime)::recent, r -> r.size() >= 4, WAIT,
                    "two runs of two disks finished");
            events.await(s -> "policy-skipped".equals(s.json().path("type").asText()), WAIT,
                    "a fire skipped while the slow run was busy");

            assertTrue(done.stream().allMatch(f -> f.error() == null), done.toString());
            assertTrue(done.stream().allMatch(f -> f.task().trigger().endsWith("(schedule)")), "Quartz fired them");
            Map<Long, long[]> runs = new HashMap<>();
            for (FinishedTask f : done) {
                Matcher m = RUN.matcher(f.task().trigger());
                assertTrue(m.find(), f.task().trigger());
                runs.merge(Long.parseLong(m.group(1)), new long[] {f.task().startedAtMillis(), f.finishedAtMillis()},
                        (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
            }
            List<Map.Entry<Long, long[]>> ordered = runs.entrySet().stream()
                    .sorted(Map.Entry.comparingByKey()).toList();
            for (int i = 1; i < ordered.size(); i++) {
                assertTrue(ordered.get(i).getValue()[0] >= ordered.get(i - 1).getValue()[1], "run "
                        + ordered.get(i).getKey() + " started before run " + ordered.get(i - 1).getKey() + " ended");
            }
        } finally {
            closeAll(images);
        }
    }

    @Test
    void should_run_at_most_two_disks_at_once_and_answer_the_policy_api(@TempDir Path data) throws Exception {
        List<TestImage> images = images("it-sched-cap-", 5);
        Path policies = data.resolve("policies.yaml");
        String fiveDisks = """
                policies:
                  - name: five-disks
                    schedule: "0 0 3 1 1 ? 2099"
                    select: {volumes: [volumes/it-sched-cap-*]}
                    priority: 60
                """ + slowHook(1);
        Files.writeString(policies, fiveDisks);
        int apiPort = TestRuntimes.freePort();
        int managementPort = TestRuntimes.freePort();
        try (BlockferryRuntime runtime = TestRuntimes.start(data, Map.of("blockferry.policies.file",
                policies.toString(), "blockferry.queue.max-disks", "2", "blockferry.queue.dispatch-interval", "200ms",
                "camel.server.enabled", "true", "camel.server.port", Integer.toString(apiPort),
                "blockferry.api.token", TOKEN, "camel.management.enabled", "true",
                "camel.management.port", Integer.toString(managementPort)))) {
            ApiClient api = new ApiClient(apiPort, TOKEN);

            ApiClient.Answer listed = api.get("/api/policies");
            assertEquals(200, listed.status(), listed.body().toString());
            JsonNode policy = listed.body().path("policies").get(0);
            assertEquals("five-disks", policy.path("name").asText());
            assertTrue(policy.path("nextFire").asText().startsWith("2099-01-01"), policy.toString());

            assertEquals(404, api.post("/api/policies/no-such/sync").status());
            ApiClient.Answer badMode = api.post("/api/policies/five-disks/sync?mode=sometimes");
            assertEquals(400, badMode.status());
            assertTrue(badMode.body().path("error").asText().contains("use full or incremental"), badMode.body()
                    .toString());

            ApiClient.Answer started = api.post("/api/policies/five-disks/sync?mode=full");
            assertEquals(202, started.status(), started.body().toString());
            assertEquals(5, started.body().path("queued").asInt());
            assertTrue(started.body().path("full").asBoolean());
            ApiClient.Answer busy = api.post("/api/policies/five-disks/sync");
            assertEquals(409, busy.status(), busy.body().toString());
            JsonNode tasks = api.get("/api/tasks").body();
            assertEquals(5, tasks.path("running").size() + tasks.path("queued").size() + tasks.path("recent").size(),
                    tasks.toString());

            List<FinishedTask> done = Await.until(Beans.queue(runtime)::recent, r -> r.size() >= 5, WAIT,
                    "the five tasks finished");
            assertTrue(done.stream().allMatch(f -> f.error() == null), done.toString());
            assertEquals(2, mostAtOnce(done), "at most max-disks=2 in flight, and the cap was used");

            String policyTable = cli(apiPort, "policies");
            assertTrue(policyTable.matches("(?s).*\\nfive-disks +0 0 3 1 1 \\? 2099 +2099-01-01T\\S+ +volumes/it-sched-cap-\\* "
                    + "+incremental +1/default +60\\n.*"), policyTable);
            String status = cli(apiPort, "status");
            assertTrue(status.contains("volumes/it-sched-cap-4  1 "), status);
            assertTrue(status.contains("Tasks: 0 running, 0 queued"), status);
            String points = cli(apiPort, "points", "volumes/it-sched-cap-0");
            assertTrue(points.matches("(?s)GEN +MODE.*\\n1 +FULL +blockferry-g000001-\\S+ +4\\.0M +1\\.0M +COMMITTED.*"),
                    points);
            CliException unknown = assertThrows(CliException.class, () -> cli(apiPort, "sync", "--policy", "nope"));
            assertTrue(unknown.getMessage().contains("(HTTP 404)"), unknown.getMessage());

            String metrics = new ApiClient(managementPort, TOKEN).text("/observe/metrics");
            for (String series : List.of("blockferry_queue_depth", "blockferry_tasks_running",
                    "blockferry_queue_wait_seconds_count", "blockferry_sent_bytes_total")) {
                assertTrue(metrics.contains(series), series + " missing from /observe/metrics");
            }

            Files.writeString(policies, fiveDisks.replace("priority: 60", "priority: urgent"));
            ApiClient.Answer rejected = api.post("/api/policies/reload");
            assertEquals(400, rejected.status());
            assertTrue(rejected.body().path("error").asText().contains("line 5: key 'priority': 'urgent' is not a "
                    + "whole number"), rejected.body().toString());
            assertEquals(60, api.get("/api/policies").body().path("policies").get(0).path("priority").asInt(),
                    "the previous policies stay active");

            Files.writeString(policies, fiveDisks.replace("five-disks", "renamed"));
            assertEquals(200, api.post("/api/policies/reload").status());
            assertNotNull(runtime.camelContext().getRoute("policy-renamed"), "the new policy is scheduled");
            assertEquals(null, runtime.camelContext().getRoute("policy-five-disks"), "the old one is not");
        } finally {
            closeAll(images);
        }
    }

    @Test
    void should_fail_a_task_that_waits_past_the_maximum_wait_with_queue_timeout(@TempDir Path data) throws Exception {
        List<TestImage> images = images("it-sched-wait-", 2);
        Path policies = data.resolve("policies.yaml");
        Files.writeString(policies, """
                policies:
                  - name: slow
                    schedule: "0 0 3 1 1 ? 2099"
                    select: {volumes: [volumes/it-sched-wait-0]}
                """ + slowHook(6));
        try (BlockferryRuntime runtime = TestRuntimes.start(data, Map.of("blockferry.policies.file",
                policies.toString(), "blockferry.queue.max-disks", "1", "blockferry.queue.max-wait", "2s",
                "blockferry.queue.dispatch-interval", "200ms"));
             TopicWatch events = TopicWatch.events(runtime.bootstrapServers())) {
            SyncTask slow = Beans.queue(runtime).submit(images.get(0).volumeId(), null, "slow", 50, false, "test",
                    Beans.policies(runtime).optionsOf("slow"));
            Await.until(Beans.queue(runtime)::running, r -> !r.isEmpty(), WAIT, "the slow task started");
            SyncTask late = Beans.submit(runtime, SyncRequest.incremental(images.get(1).volumeId(), "test"));

            JsonNode timeout = events.awaitEvent("queue-timeout", images.get(1).volumeId(), null, WAIT);
            assertTrue(timeout.path("message").asText().contains("task " + late.id()), timeout.toString());
            assertTrue(timeout.path("counts").path("waitedSeconds").asLong() >= 2, timeout.toString());
            assertTrue(Beans.queue(runtime).queued().isEmpty(), "the task is gone from the queue, not left waiting");
            Await.until(Beans.queue(runtime)::recent, r -> r.stream().anyMatch(f -> f.task().id() == slow.id()), WAIT,
                    "the slow task finished");
        } finally {
            closeAll(images);
        }
    }

    private static String cli(int port, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Cli.connect("http://127.0.0.1:" + port, TOKEN, new PrintStream(out, true, StandardCharsets.UTF_8))
                .run(List.of(args));
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The most tasks that held a slot at the same instant, from their recorded start and end times. */
    private static int mostAtOnce(List<FinishedTask> done) {
        List<long[]> edges = new ArrayList<>();
        for (FinishedTask f : done) {
            edges.add(new long[] {f.task().startedAtMillis(), 1});
            edges.add(new long[] {f.finishedAtMillis(), -1});
        }
        edges.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
        int now = 0;
        int most = 0;
        for (long[] e : edges) {
            now += (int) e[1];
            most = Math.max(most, now);
        }
        return most;
    }
}
