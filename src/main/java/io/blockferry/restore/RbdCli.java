package io.blockferry.restore;

import io.blockferry.config.ChildEnvironment;
import io.blockferry.store.OwnerOnly;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The stock {@code rbd} CLI, as the restore uses it: the repository's files are rbd export-diff
 * streams, and {@code rbd import-diff} is the tool that is known to apply them exactly.
 *
 * <p>The configured command's arguments may carry a key ({@code --key SECRET}): they are never put
 * in a message, and a {@code --key} is moved into an owner-only key file for the call
 * ({@code --keyfile}), so it is not on the command line ({@code ps}). The CLI runs with the minimal
 * environment ({@link ChildEnvironment}) and is killed when it outlives its timeout; its output
 * goes to files, so a CLI that keeps its output open cannot hold the restore.
 */
public final class RbdCli {

    /** How long one rbd call may take unless told otherwise (an import of a large point takes long). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(60);

    private final List<String> command;
    private final String key;
    private final Duration timeout;
    private final ChildEnvironment environment;

    /** @param command rbd with the arguments that reach the target Ceph, e.g. {@code rbd --conf /etc/ceph/ceph.conf --id cinder} */
    public RbdCli(String command) {
        this(command, DEFAULT_TIMEOUT, ChildEnvironment.minimal());
    }

    public RbdCli(String command, Duration timeout, ChildEnvironment environment) {
        List<String> words = new ArrayList<>(List.of(command.trim().split("\\s+")));
        String secret = null;
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            if (word.equals("--key") && i + 1 < words.size()) {
                secret = words.remove(i + 1);
                words.remove(i--);
            } else if (word.startsWith("--key=")) {
                secret = word.substring("--key=".length());
                words.remove(i--);
            }
        }
        this.command = List.copyOf(words);
        this.key = secret;
        this.timeout = timeout;
        this.environment = environment;
    }

    /** Applies one diff to an existing image; rbd creates the diff's end snapshot on it. */
    public void importDiff(Path diff, String imageSpec) {
        run("import-diff", diff.toString(), imageSpec);
    }

    /**
     * Removes every snapshot of the image. Cinder refuses to delete a volume whose image has
     * snapshots it does not know, and import-diff leaves one per recovery point.
     */
    public void purgeSnapshots(String imageSpec) {
        run("snap", "purge", imageSpec);
    }

    /** The image's snapshots as rbd's JSON list. */
    public String snapshots(String imageSpec) {
        return run("snap", "ls", "--format", "json", imageSpec);
    }

    /** The program and how many arguments it has: what a message may say of the configured command. */
    private String described() {
        return "'" + command.get(0) + "' with " + (command.size() - 1 + (key == null ? 0 : 2))
                + " argument(s), not shown: they may carry a key";
    }

    private String run(String... args) {
        String what = "rbd " + String.join(" ", args);
        Path out = null;
        Path err = null;
        Path keyFile = null;
        try {
            out = Files.createTempFile("blockferry-rbd", ".out");
            err = Files.createTempFile("blockferry-rbd", ".err");
            List<String> full = new ArrayList<>(command);
            if (key != null) {
                keyFile = Files.createTempFile("blockferry-rbd", ".key");
                OwnerOnly.restrict(keyFile);
                Files.writeString(keyFile, key, StandardCharsets.UTF_8);
                full.add("--keyfile");
                full.add(keyFile.toString());
            }
            full.addAll(Arrays.asList(args));
            ProcessBuilder builder = new ProcessBuilder(full).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = environment.applyTo(builder).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new RestoreException(what + " did not finish within " + timeout.toSeconds() + " s and was killed: "
                        + "check that blockferry.restore.rbd-command (" + described() + ") reaches the target Ceph, or "
                        + "raise blockferry.restore.rbd-timeout");
            }
            if (p.exitValue() != 0) {
                throw new RestoreException(what + " failed (exit " + p.exitValue() + "): " + tail(err)
                        + ": check that blockferry.restore.rbd-command (" + described() + ") reaches the target Ceph "
                        + "with a user allowed to write the pool");
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RestoreException("cannot run " + what + " (" + e.getMessage() + "): is the rbd CLI (ceph-common) "
                    + "installed? blockferry.restore.rbd-command is " + described());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreException(what + " was interrupted");
        } finally {
            for (Path file : new Path[] {out, err, keyFile}) {
                try {
                    if (file != null) {
                        Files.deleteIfExists(file);
                    }
                } catch (IOException e) {
                    // a temporary file left behind; the key file is owner-only
                }
            }
        }
    }

    /** The end of rbd's error output, without the key if rbd echoed it. */
    private String tail(Path err) throws IOException {
        String text = Files.readString(err, StandardCharsets.UTF_8).trim();
        if (text.length() > 2000) {
            text = "..." + text.substring(text.length() - 2000);
        }
        return key == null ? text : text.replace(key, "[key]");
    }
}
