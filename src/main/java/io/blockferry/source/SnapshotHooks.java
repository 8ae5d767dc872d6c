package io.blockferry.source;

import io.blockferry.events.Event;
import io.blockferry.events.EventSink;
import io.blockferry.events.EventTypes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a policy's pre- and post-snapshot commands (a guest freeze and thaw, an application
 * quiesce). The command gets the volume, policy, phase and snapshot in its environment. A hook
 * that fails or outlives its timeout is killed and reported with the end of its output; its
 * policy decides whether the sync goes on.
 */
public final class SnapshotHooks {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotHooks.class);
    private static final int OUTPUT_TAIL = 2000;

    private final EventSink events;

    public SnapshotHooks(EventSink events) {
        this.events = events;
    }

    public void beforeSnapshot(SyncRequest request) {
        run(request.options().preSnapshot(), "pre-snapshot", request, null);
    }

    /** @param planned the generation whose snapshot was taken, or null when taking it failed */
    public void afterSnapshot(SyncRequest request, PlannedGeneration planned) {
        run(request.options().postSnapshot(), "post-snapshot", request, planned == null ? null : planned.snapshot());
    }

    private void run(Hook hook, String phase, SyncRequest request, String snapshot) {
        if (hook == null) {
            return;
        }
        String problem;
        try {
            problem = execute(hook, phase, request, snapshot);
        } catch (IOException e) {
            problem = "could not be started: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "was interrupted";
        }
        if (problem == null) {
            return;
        }
        String message = "The " + phase + " hook " + hook.command() + " of policy " + request.options().policy()
                + " for " + request.volumeId() + " " + problem
                + (hook.onFailure() == Hook.OnFailure.ABORT ? "; the sync is aborted (on-failure: abort)"
                : "; the sync goes on (on-failure: continue)");
        boolean abort = hook.onFailure() == Hook.OnFailure.ABORT;
        events.publish(Event.of(EventTypes.HOOK_FAILED, request.volumeId(), phase, abort ? Event.ERROR : Event.WARN,
                message, Map.of()));
        if (abort) {
            throw new HookFailedException(message);
        }
    }

    /** @return null when the hook succeeded, else what went wrong */
    private static String execute(Hook hook, String phase, SyncRequest request, String snapshot)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile("blockferry-hook-", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(hook.command()).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            Map<String, String> env = builder.environment();
            env.put("BLOCKFERRY_PHASE", phase);
            env.put("BLOCKFERRY_VOLUME", request.volumeId());
            env.put("BLOCKFERRY_POLICY", String.valueOf(request.options().policy()));
            env.put("BLOCKFERRY_SNAPSHOT", snapshot == null ? "" : snapshot);
            Process process = builder.start();
            if (!process.waitFor(hook.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return "did not finish within " + hook.timeout().toSeconds() + " s and was killed" + tail(output);
            }
            if (process.exitValue() != 0) {
                return "exited with status " + process.exitValue() + tail(output);
            }
            LOG.info("{} hook of {} succeeded", phase, request.volumeId());
            return null;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static String tail(Path output) throws IOException {
        String text = Files.readString(output, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return "";
        }
        return ": " + (text.length() > OUTPUT_TAIL ? "..." + text.substring(text.length() - OUTPUT_TAIL) : text);
    }
}
