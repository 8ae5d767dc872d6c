package io.blockferry.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.events.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pre-snapshot hooks run as real processes: success, failure by policy, timeout, environment. */
class SnapshotHooksTest {

    private final List<Event> events = new ArrayList<>();
    private final SnapshotHooks hooks = new SnapshotHooks(events::add);

    private static SyncRequest request(Hook pre) {
        return new SyncRequest("volumes/db-1", false, "test", new SyncOptions("gold", 1, 0, 0, pre, null));
    }

    private static Hook shell(String script, Duration timeout, Hook.OnFailure onFailure) {
        return new Hook(List.of("/bin/sh", "-c", script), timeout, onFailure);
    }

    @Test
    void aHookSeesTheVolumeAndPolicyInItsEnvironment(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("env");
        hooks.beforeSnapshot(request(shell("echo \"$BLOCKFERRY_PHASE $BLOCKFERRY_VOLUME $BLOCKFERRY_POLICY\" > " + out,
                Duration.ofSeconds(10), Hook.OnFailure.ABORT)));
        assertEquals("pre-snapshot volumes/db-1 gold", Files.readString(out).strip());
        assertEquals(List.of(), events);
    }

    @Test
    void aFailingHookAbortsTheSyncWithItsOutput() {
        HookFailedException e = assertThrows(HookFailedException.class, () -> hooks.beforeSnapshot(request(
                shell("echo guest agent not responding; exit 3", Duration.ofSeconds(10), Hook.OnFailure.ABORT))));
        assertTrue(e.getMessage().contains("exited with status 3: guest agent not responding"), e.getMessage());
        assertTrue(e.getMessage().endsWith("the sync is aborted (on-failure: abort)"), e.getMessage());
        assertEquals("hook-failed", events.get(0).type());
        assertEquals("ERROR", events.get(0).severity());
    }

    @Test
    void aFailingHookWithContinueOnlyWarns() {
        hooks.beforeSnapshot(request(shell("exit 1", Duration.ofSeconds(10), Hook.OnFailure.CONTINUE)));
        assertEquals("WARN", events.get(0).severity());
        assertTrue(events.get(0).message().contains("the sync goes on (on-failure: continue)"), events.get(0).message());
    }

    @Test
    void aHookPastItsTimeoutIsKilled() {
        HookFailedException e = assertThrows(HookFailedException.class, () -> hooks.beforeSnapshot(request(
                shell("sleep 30", Duration.ofSeconds(1), Hook.OnFailure.ABORT))));
        assertTrue(e.getMessage().contains("did not finish within 1 s and was killed"), e.getMessage());
    }
}
