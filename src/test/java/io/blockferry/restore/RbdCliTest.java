package io.blockferry.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.config.ChildEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The restore's rbd CLI as a real process: its timeout fires, and its key stays out of messages, ps and env. */
class RbdCliTest {

    private static Path script(Path dir, String body) throws Exception {
        Path script = dir.resolve("fake-rbd");
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    @Test
    void should_kill_an_rbd_that_hangs_with_its_output_open_once_its_timeout_passes(@TempDir Path dir) throws Exception {
        RbdCli rbd = new RbdCli(script(dir, "echo started; exec sleep 1000").toString(), Duration.ofSeconds(2),
                ChildEnvironment.minimal());
        long start = System.nanoTime();
        RestoreException e = assertThrows(RestoreException.class, () -> rbd.snapshots("volumes/x"));
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;

        assertTrue(seconds < 20, "the timeout fired: " + seconds + " s");
        assertTrue(e.getMessage().contains("did not finish within 2 s and was killed"), e.getMessage());
    }

    @Test
    void should_keep_a_key_in_the_command_out_of_errors_the_command_line_and_the_environment(@TempDir Path dir)
            throws Exception {
        Path seen = dir.resolve("seen");
        Path rbdScript = script(dir, "echo \"$@\" > " + seen + ".args; env > " + seen + ".env; "
                + "while [ $# -gt 0 ]; do if [ \"$1\" = --keyfile ]; then cat \"$2\" > " + seen + ".key; fi; shift; done; "
                + "echo 'rbd: error opening image: (2) No such file or directory' >&2; exit 2");
        RbdCli rbd = new RbdCli(rbdScript + " --conf /etc/ceph/ceph.conf --id restore --key S3CRET-KEY",
                Duration.ofSeconds(30), ChildEnvironment.minimal());

        RestoreException e = assertThrows(RestoreException.class, () -> rbd.purgeSnapshots("volumes/x"));

        assertFalse(e.getMessage().contains("S3CRET-KEY"), e.getMessage());
        assertFalse(e.getMessage().contains("--id restore"), "no argument of the configured command: " + e.getMessage());
        assertTrue(e.getMessage().contains("No such file or directory"), "rbd's own error: " + e.getMessage());
        assertTrue(e.getMessage().contains("blockferry.restore.rbd-command"), e.getMessage());
        String args = Files.readString(Path.of(seen + ".args"));
        assertFalse(args.contains("S3CRET-KEY"), "not on the command line (ps): " + args);
        assertTrue(args.contains("--keyfile"), args);
        assertEquals("S3CRET-KEY", Files.readString(Path.of(seen + ".key")), "rbd gets the key from an owner-only file");
        List<String> env = Files.readAllLines(Path.of(seen + ".env"));
        assertTrue(env.stream().allMatch(l -> !l.contains("=") || ChildEnvironment.BASE.contains(l.substring(0,
                l.indexOf('='))) || l.startsWith("PWD=") || l.startsWith("SHLVL=") || l.startsWith("_=")), env.toString());
        try (var left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith("blockferry-rbd")
                    && p.getFileName().toString().endsWith(".key")), "the key file is removed");
        }
    }
}
