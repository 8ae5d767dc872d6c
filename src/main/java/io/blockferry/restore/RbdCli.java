package io.blockferry.restore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The stock {@code rbd} CLI, as the restore uses it: the repository's files are rbd export-diff
 * streams, and {@code rbd import-diff} is the tool that is known to apply them exactly.
 */
public final class RbdCli {

    private static final long TIMEOUT_MINUTES = 60;

    private final List<String> command;

    /** @param command rbd with the arguments that reach the target Ceph, e.g. {@code rbd --conf /etc/ceph/ceph.conf --id cinder} */
    public RbdCli(String command) {
        this.command = List.of(command.trim().split("\\s+"));
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

    private String run(String... args) {
        List<String> full = new ArrayList<>(command);
        full.addAll(Arrays.asList(args));
        String what = "rbd " + String.join(" ", args);
        try {
            Path err = Files.createTempFile("blockferry-rbd", ".err");
            try {
                Process p = new ProcessBuilder(full).redirectError(err.toFile()).start();
                p.getOutputStream().close();
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new RestoreException(what + " did not finish in " + TIMEOUT_MINUTES + " minutes");
                }
                if (p.exitValue() != 0) {
                    throw new RestoreException(what + " failed (exit " + p.exitValue() + "): "
                            + Files.readString(err).trim() + ": check blockferry.restore.rbd-command (now '"
                            + String.join(" ", command) + "') reaches the target Ceph with a user allowed to write the pool");
                }
                return new String(out, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new RestoreException("cannot run " + what + " (" + e.getMessage() + "): is the rbd CLI (ceph-common) "
                    + "installed? blockferry.restore.rbd-command is '" + String.join(" ", command) + "'");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestoreException(what + " was interrupted");
        }
    }
}
