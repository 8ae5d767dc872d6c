package io.blockferry.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.testing.ApiClient;
import io.blockferry.testing.Await;
import io.blockferry.testing.BlockferryProcess;
import io.blockferry.testing.TestImage;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File-level restore on a real Blockferry process, through the CLI, and what a kill -9 of it
 * leaves while a point is mounted: its mounts, loop devices and nbdfuse, all removed by the next
 * start. The disk has no partition table: one ext4 filesystem, listed as {@code disk}.
 */
class FileRestoreProcessTest {

    private static final int MiB = 1 << 20;
    private static final long SIZE = 32L * MiB;
    private static final Duration WAIT = Duration.ofMinutes(2);

    @Test
    void should_list_and_fetch_through_the_cli_and_clean_up_after_a_kill_9(@TempDir Path data, @TempDir Path work)
            throws Exception {
        Path disk = work.resolve("whole.img");
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(SIZE);
        }
        sh("mkfs.ext4", "-q", "-F", "-L", "whole", disk.toString());
        String loop = sh("losetup", "--find", "--show", disk.toString()).strip();
        Path m = Files.createDirectories(work.resolve("m"));
        try {
            sh("mount", loop, m.toString());
            Files.writeString(Files.createDirectories(m.resolve("srv")).resolve("motd"), "hello from the process test\n");
            sh("umount", m.toString());
        } finally {
            sh("losetup", "--detach", loop);
        }
        Path browse = data.resolve("repository").resolve(".browse");
        try (TestImage image = new TestImage("volumes", "it-file-restore-process", SIZE, 3)) {
            byte[] chunk = new byte[MiB];
            try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "r")) {
                for (long off = 0; off < SIZE; off += MiB) {
                    f.readFully(chunk);
                    if (!Arrays.equals(chunk, new byte[MiB])) {
                        image.write(off, chunk.clone());
                    }
                }
            }
            long nbdfuse;
            try (BlockferryProcess first = BlockferryProcess.start(data, null, Map.of(), null, "512m")) {
                ApiClient api = first.api();
                assertEquals(202, api.post("/api/volumes/" + image.volumeId() + "/sync?mode=full").status());
                Await.until(() -> first.api().get("/api/volumes/" + image.volumeId() + "/points"),
                        a -> a.status() == 200 && a.body().size() == 1, WAIT, "the first point");

                ApiClient.Answer top = api.get("/api/volumes/volumes/it-file-restore-process/points/1/files?path=/");
                assertEquals(200, top.status(), top.body().toString());
                JsonNode whole = top.body().path("entries").get(0);
                assertEquals("disk", whole.path("name").asText(), top.body().toString());
                assertEquals("ext4", whole.path("filesystem").asText());

                String listed = first.cli("files", image.volumeId(), "/disk/srv");
                assertTrue(listed.contains("motd") && listed.contains("file"), listed);
                Path out = work.resolve("motd.fetched");
                first.cli("fetch", image.volumeId() + "@1", "/disk/srv/motd", "-o", out.toString());
                assertEquals("hello from the process test\n", Files.readString(out, StandardCharsets.UTF_8));
                // a directory, to a DEST directory: copied under its own name
                Path into = work.resolve("restored");
                first.cli("fetch", image.volumeId() + "@1", "/disk/srv", into.toString());
                assertEquals("hello from the process test\n",
                        Files.readString(into.resolve("srv").resolve("motd"), StandardCharsets.UTF_8));

                Path realBrowse = browse.toRealPath();
                assertEquals(2, HostCommands.mountsUnder(realBrowse).size(), "the filesystem and nbdfuse are mounted");
                try (var dirs = Files.list(realBrowse)) {
                    nbdfuse = Long.parseLong(Files.readString(dirs.findFirst().orElseThrow().resolve("nbdfuse.pid")).strip());
                }
                first.kill();
            }
            Path realBrowse = browse.toRealPath();
            assertEquals(2, HostCommands.mountsUnder(realBrowse).size(), "a kill -9 leaves the mounts");
            assertEquals(1, HostCommands.loopsUnder(realBrowse).size(), "and the loop device");
            assertTrue(ProcessHandle.of(nbdfuse).map(ProcessHandle::isAlive).orElse(false), "and nbdfuse");
            try (BlockferryProcess second = BlockferryProcess.start(data, null, Map.of(), null, "512m")) {
                assertTrue(second.log().contains("Removed what a stopped Blockferry left of its browse sessions"),
                        second.logTail());
                assertTrue(HostCommands.mountsUnder(realBrowse).isEmpty(), "the next start unmounted them");
                assertTrue(HostCommands.loopsUnder(realBrowse).isEmpty(), "and detached the loop device");
                Await.until(() -> ProcessHandle.of(nbdfuse).map(ProcessHandle::isAlive).orElse(false), alive -> !alive,
                        Duration.ofSeconds(20), "nbdfuse to end");
                // the point can be browsed again, and a stop unmounts it
                ApiClient.Answer again = second.api().get("/api/volumes/volumes/it-file-restore-process/points/latest/"
                        + "files?path=/disk/srv");
                assertEquals(200, again.status(), again.body().toString());
                assertEquals(2, HostCommands.mountsUnder(realBrowse).size());
            }
            assertTrue(HostCommands.mountsUnder(realBrowse).isEmpty(), "a stop unmounts every session");
            assertTrue(HostCommands.loopsUnder(realBrowse).isEmpty());
        } finally {
            if (Files.isDirectory(browse)) {
                BrowseLeftovers.clean(browse.toRealPath()); // nothing stays mounted in the temporary directory
            }
        }
    }

    private static String sh(String... command) throws Exception {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
        b.environment().put("PATH", b.environment().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin");
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }
}
