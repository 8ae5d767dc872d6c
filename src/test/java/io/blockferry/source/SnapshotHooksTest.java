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

    @Test
    void should_give_a_hook_no_secret_of_blockferrys_environment(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("env");
        hooks.beforeSnapshot(request(shell("env > " + out, Duration.ofSeconds(10), Hook.OnFailure.ABORT)));
        List<String> names = Files.readAllLines(out).stream().filter(l -> l.contains("="))
                .map(l -> l.substring(0, l.indexOf('='))).toList();

        List<String> allowed = new ArrayList<>(io.blockferry.config.ChildEnvironment.BASE);
        allowed.addAll(List.of("BLOCKFERRY_PHASE", "BLOCKFERRY_VOLUME", "BLOCKFERRY_POLICY", "BLOCKFERRY_SNAPSHOT",
                "PWD", "SHLVL", "_", "OLDPWD"));
        for (String name : names) {
            assertTrue(allowed.contains(name), name + " reached the hook: " + names);
        }
        String inherited = System.getenv().keySet().stream().filter(n -> !allowed.contains(n)).findFirst().orElseThrow();
        assertTrue(!names.contains(inherited), inherited + " of the JVM's environment reached the hook");
        assertTrue(names.contains("PATH"), "a hook still finds its programs");
    }

    @Test
    void should_keep_the_openstack_password_and_api_token_from_a_child_process() {
        ProcessBuilder builder = new ProcessBuilder("true");
        builder.environment().put("OS_PASSWORD", "s3cret");
        builder.environment().put("BLOCKFERRY_API_TOKEN", "t0ken");
        builder.environment().put("BLOCKFERRY_OPENSTACK_PASSWORD", "s3cret");
        builder.environment().put("BLOCKFERRY_KAFKA_CLIENT_SASL_JAAS_CONFIG", "password=x");
        builder.environment().put("PATH", "/usr/bin:/bin");

        io.blockferry.config.ChildEnvironment.minimal().applyTo(builder);

        assertEquals(java.util.Set.of("PATH"), builder.environment().keySet().stream()
                .filter(n -> !io.blockferry.config.ChildEnvironment.BASE.contains(n) || n.equals("PATH"))
                .collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void should_not_name_a_hooks_arguments_in_its_failure() {
        HookFailedException e = assertThrows(HookFailedException.class, () -> hooks.beforeSnapshot(request(
                new Hook(List.of("/bin/sh", "-c", "exit 4", "--key=S3CRET"), Duration.ofSeconds(10),
                        Hook.OnFailure.ABORT))));
        assertTrue(e.getMessage().contains("/bin/sh"), e.getMessage());
        assertTrue(!e.getMessage().contains("S3CRET") && !events.get(0).message().contains("S3CRET"), e.getMessage());
    }

    @Test
    void should_report_the_end_of_a_huge_or_binary_hook_output(@TempDir Path dir) {
        HookFailedException e = assertThrows(HookFailedException.class, () -> hooks.beforeSnapshot(request(
                shell("head -c 20000000 /dev/urandom; echo; echo the-last-line; exit 2", Duration.ofSeconds(30),
                        Hook.OnFailure.ABORT))));
        assertTrue(e.getMessage().contains("exited with status 2"), "not mislabelled as a start failure: "
                + e.getMessage().substring(0, 200));
        assertTrue(e.getMessage().contains("the-last-line"), "the end of the output");
        assertTrue(e.getMessage().length() < 4000, "only the end: " + e.getMessage().length());
    }
}
