package io.blockferry.source;

import io.blockferry.config.ChildEnvironment;
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
    private final ChildEnvironment environment;

    /** Hooks that see only the minimal environment ({@link ChildEnvironment#BASE}). */
    public SnapshotHooks(EventSink events) {
        this(events, ChildEnvironment.minimal());
    }

    /** @param environment what of Blockferry's environment a hook sees: never its credentials */
    public SnapshotHooks(EventSink events, ChildEnvironment environment) {
        this.events = events;
        this.environment = environment;
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
            problem = execute(hook, phase, request, snapshot, environment);
        } catch (IOException e) {
            problem = "could not be started: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "was interrupted";
        }
        if (problem == null) {
            return;
        }
        // the program only: a hook's arguments may carry a key
        String message = "The " + phase + " hook " + hook.command().get(0) + " of policy " + request.options().policy()
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
    private static String execute(Hook hook, String phase, SyncRequest request, String snapshot,
                                  ChildEnvironment environment) throws IOException, InterruptedException {
        Path output = Files.createTempFile("blockferry-hook-", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(hook.command()).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            Map<String, String> env = environment.applyTo(builder).environment();
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

    /**
     * The end of a hook's output: only its last bytes are read (a chatty hook's log can be large),
     * and bytes that are not UTF-8 are shown as replacement characters rather than failing.
     */
    private static String tail(Path output) throws IOException {
        long size = Files.size(output);
        byte[] bytes;
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(output)) {
            int length = (int) Math.min(size, OUTPUT_TAIL * 4L);
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(length);
            channel.position(size - length);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // reads the last bytes
            }
            bytes = java.util.Arrays.copyOf(buffer.array(), buffer.position());
        }
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return "";
        }
        boolean cut = size > bytes.length || text.length() > OUTPUT_TAIL;
        return ": " + (cut ? "..." + text.substring(Math.max(0, text.length() - OUTPUT_TAIL)) : text);
    }
}
