package io.blockferry.source.hcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.BlockferryRuntime;
import io.blockferry.events.Event;
import io.blockferry.hcssim.HcsSim;
import io.blockferry.ops.RecentEvents;
import io.blockferry.schedule.FinishedTask;
import io.blockferry.schedule.PolicyRunner;
import io.blockferry.schedule.WorkQueue;
import io.blockferry.testing.Await;
import io.blockferry.testing.Beans;
import io.blockferry.testing.TestRuntimes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thirty HCS disks selected by one policy, through a real runtime on the simulator: the work queue
 * runs at most 23 of them at once (the HCS backend's cap, although the proxy's own is higher here),
 * and an {@code Ecs.0042} answer to an attach puts its task back in the queue instead of failing
 * the sync: every disk ends with a committed point, and no sync-failed event is published.
 */
class HcsQueueTest {

    private static final long MiB = 1L << 20;
    private static final int DISKS = 30;
    private static HcsSim sim;

    @BeforeAll
    static void startSimulator() {
        sim = HcsSim.start();
    }

    @AfterAll
    static void stopSimulator() {
        if (sim != null) {
            sim.close();
        }
    }

    @Test
    void should_run_thirty_disks_at_most_twenty_three_at_a_time_and_queue_an_ecs_0042_again(@TempDir Path data)
            throws Exception {
        List<String> ids = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            List<Map<String, Object>> disks = new ArrayList<>();
            for (int d = 0; d < DISKS / 3; d++) {
                disks.add(Map.of("size_bytes", MiB));
            }
            JsonNode server = sim.server("queue-" + s, Map.of("boot_volume", Map.of("size_bytes", MiB),
                    "data_volumes", disks));
            for (int d = 1; d <= DISKS / 3; d++) {
                String volume = server.path("volumes").get(d).path("id").asText();
                sim.writeOp(volume, Map.of("offset", 0, "length", 64 << 10, "pattern", Map.of("seed", s * 100 + d)));
                ids.add("hcs:" + sim.projectId + "/" + volume);
            }
        }
        Path policies = data.resolve("policies.yaml");
        Files.writeString(policies, "policies:\n  - name: thirty\n    schedule: \"0 0 3 1 1 ? 2099\"\n"
                + "    select: {volumes: [" + String.join(", ", ids.stream().map(i -> "\"" + i + "\"").toList())
                + "]}\n");
        Map<String, String> keys = new HashMap<>(SimBackend.keys(sim));
        keys.put("blockferry.ceph.enabled", "false");
        keys.put("blockferry.policies.file", policies.toString());
        keys.put("blockferry.queue.max-disks", "40");
        keys.put("blockferry.queue.dispatch-interval", "100ms");
        // the first attach of the run is refused as if the proxy had no free slot
        sim.control("POST", "/faults", Map.of("kind", "http_error", "op", "ecs.attach", "status", 400,
                "code", "Ecs.0042", "message", "The number of attached data disks exceeds the maximum allowed limit."));
        try (BlockferryRuntime runtime = TestRuntimes.start(data, keys)) {
            WorkQueue queue = Beans.queue(runtime);
            PolicyRunner.RunSummary run = Beans.of(runtime, "policyRunner", PolicyRunner.class).runNow("thirty", null);
            assertEquals(DISKS, run.queued(), run.toString());
            AtomicInteger most = new AtomicInteger();
            Await.until(() -> {
                most.accumulateAndGet(queue.running().size(), Math::max);
                return ids.stream().filter(id -> !Beans.writer(runtime).catalog().points(id).isEmpty()).count();
            }, n -> n == DISKS, Duration.ofMinutes(5), "a committed point of each of the " + DISKS + " disks");
            assertTrue(most.get() <= 23, "never more than 23 HCS disks in flight, saw " + most.get());

            assertEquals(0, sim.control("GET", "/faults", null).path("faults").size(), "the Ecs.0042 was answered");
            List<FinishedTask> finished = Await.until(queue::recent, r -> r.size() == DISKS, Duration.ofMinutes(1),
                    "every task finished once");
            assertTrue(finished.stream().allMatch(t -> t.error() == null), "none failed: " + finished);
            List<Event> failed = Beans.of(runtime, "recentEvents", RecentEvents.class).recent(null, null).stream()
                    .filter(e -> e.type().equals("sync-failed")).toList();
            assertEquals(List.of(), failed, "the refused attach is not a failed sync");
            Await.until(() -> sim.control("GET", "/temporary-disks", null).path("volumes").size(), n -> n == 0,
                    Duration.ofMinutes(1), "every temporary disk removed");
        }
    }
}
