package io.blockferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.BlockferryRuntime;
import io.blockferry.source.Hook;
import io.blockferry.source.SyncOptions;
import io.blockferry.source.SyncRequest;
import io.blockferry.testing.Beans;
import io.blockferry.testing.TestRuntimes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding 8 of the audit: once the freeze ran, the thaw runs, even when the snapshot cannot be taken. */
class HookedSnapshotTest {

    @Test
    void should_thaw_the_guest_when_the_snapshot_fails(@TempDir Path data, @TempDir Path hooks) {
        Path froze = hooks.resolve("froze");
        Path thawed = hooks.resolve("thawed");
        SyncOptions options = new SyncOptions("gold", 1, 0, 0,
                new Hook(List.of("/bin/sh", "-c", "touch " + froze), Duration.ofSeconds(10), Hook.OnFailure.ABORT),
                new Hook(List.of("/bin/sh", "-c", "echo \"$BLOCKFERRY_PHASE\" > " + thawed), Duration.ofSeconds(10),
                        Hook.OnFailure.CONTINUE));
        try (BlockferryRuntime runtime = TestRuntimes.start(data, Map.of())) {
            RuntimeException failed = assertThrows(RuntimeException.class,
                    () -> runtime.sync(new SyncRequest("volumes/it-no-such-image", false, "test", options)));
            String why = java.util.stream.Stream.iterate((Throwable) failed, t -> t != null, Throwable::getCause)
                    .map(Throwable::getMessage).toList().toString();
            assertTrue(why.contains("does not exist"), why);
        }
        assertTrue(Files.exists(froze), "the freeze ran");
        assertTrue(Files.exists(thawed), "and so did the thaw, although the snapshot failed");
    }

    @Test
    void should_thaw_before_the_changed_blocks_are_listed(@TempDir Path data, @TempDir Path hooks) throws Exception {
        Path thawed = hooks.resolve("thawed");
        SyncOptions options = new SyncOptions("gold", 1, 0, 0, null,
                new Hook(List.of("/bin/sh", "-c", "echo \"$BLOCKFERRY_SNAPSHOT\" > " + thawed), Duration.ofSeconds(10),
                        Hook.OnFailure.ABORT));
        try (BlockferryRuntime runtime = TestRuntimes.start(data, Map.of());
             io.blockferry.testing.TestImage image = new io.blockferry.testing.TestImage("volumes", "it-hooked", 8 << 20, 3)) {
            image.writeRandom(0, 1 << 20);
            var planned = Beans.planner(runtime).snapshot(new SyncRequest(image.volumeId(), false, "test", options));
            // HookedSnapshot runs the thaw right after snapshot(); here the planner alone shows nothing was listed yet
            Beans.planner(runtime).abandon(planned, null, "test", null);
            var report = runtime.sync(new SyncRequest(image.volumeId(), false, "test", options));
            report.awaitCommitted(Duration.ofMinutes(1));
            assertEquals(report.snapshot(), Files.readString(thawed).strip(), "the thaw names the new snapshot");
        }
    }
}
