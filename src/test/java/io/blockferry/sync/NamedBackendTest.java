package io.blockferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.BlockferryRuntime;
import io.blockferry.demo.Checksums;
import io.blockferry.schedule.PolicyRunner;
import io.blockferry.target.RecoveryPoint;
import io.blockferry.testing.Beans;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.transport.GenerationAck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second source backend configured by name ({@code blockferry.backends.east.*}, here the same
 * local Ceph under another name): its volumes' ids carry the scheme from the policy that selects
 * them through the Kafka key, the repository and the catalog, and never mix with the default
 * backend's volume of the same pool and name.
 */
class NamedBackendTest {

    private static final int MiB = 1 << 20;

    @Test
    void should_sync_a_named_backends_volumes_selected_by_scheme_apart_from_the_default_backends(@TempDir Path data)
            throws Exception {
        Path policies = data.resolve("policies.yaml");
        Files.writeString(policies, "policies:\n  - name: east\n    schedule: \"0 0 3 1 1 ? 2099\"\n"
                + "    select: {volumes: [\"east:volumes/it-east-*\"]}\n");
        try (TestImage image = new TestImage("volumes", "it-east-a", 16L * MiB, 33);
             BlockferryRuntime runtime = TestRuntimes.start(data, Map.of("blockferry.policies.file", policies.toString(),
                     "blockferry.backends.east.type", "rbd", "blockferry.backends.east.conf", LocalCeph.conf().toString(),
                     "blockferry.backends.east.id", "blockferry",
                     "blockferry.backends.east.keyring", LocalCeph.keyring().toString()))) {
            image.writeRandom(0, 5 * MiB);
            String east = "east:volumes/it-east-a";
            CompletableFuture<GenerationAck> acked = Beans.ackOf(runtime, east, 1);
            PolicyRunner.RunSummary run = Beans.of(runtime, "policyRunner", PolicyRunner.class).runNow("east", null);
            assertEquals(1, run.queued(), "the policy selects the east backend's volume: " + run);
            assertTrue(acked.get(2, TimeUnit.MINUTES).committed());

            List<RecoveryPoint> points = Beans.writer(runtime).catalog().points(east);
            assertEquals(1, points.size(), "one point under the scheme's id: " + points);
            assertTrue(Beans.writer(runtime).catalog().points("volumes/it-east-a").isEmpty(),
                    "nothing under the default backend's id of the same image");
            Path replica = data.resolve("repository").resolve("east%3Avolumes%2Fit-east-a").resolve("replica.img");
            assertEquals(LocalCeph.exportSha256("volumes", "it-east-a", points.get(0).snapshot()),
                    Checksums.sha256(replica), "the replica is bit-identical to the east backend's snapshot");

            image.writeRandom(9L * MiB, MiB);
            CompletableFuture<GenerationAck> second = Beans.ackOf(runtime, east, 2);
            runtime.sync(io.blockferry.source.SyncRequest.incremental(east, "test"));
            assertEquals("INCREMENTAL", second.get(2, TimeUnit.MINUTES).mode(), "an incremental on the east chain");
            assertEquals(LocalCeph.exportSha256("volumes", "it-east-a",
                            Beans.writer(runtime).catalog().points(east).get(1).snapshot()),
                    Checksums.sha256(replica));
        }
    }
}
