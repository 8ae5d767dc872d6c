package io.blockferry.access;

import static io.blockferry.access.HostCommands.loopsUnder;
import static io.blockferry.access.HostCommands.mountsUnder;
import static io.blockferry.access.HostCommands.run;
import static io.blockferry.access.HostCommands.umount;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a killed Blockferry left of its browse sessions under {@code REPO/.browse/}: the read-only
 * mounts of partitions, their loop devices, the nbdfuse mounts and processes (found by their pid
 * files and checked by their command lines), then the directories. A directory still mounted is
 * never deleted.
 */
final class BrowseLeftovers {

    private static final Logger LOG = LoggerFactory.getLogger(BrowseLeftovers.class);
    static final String PID_FILE = "nbdfuse.pid";

    private BrowseLeftovers() {
    }

    /**
     * Removes what a killed Blockferry left of its browse sessions: the mounts of partitions, their
     * loop devices, the nbdfuse mounts and processes, then the directories.
     */
    static List<String> clean(Path root) {
        List<String> done = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return done;
        }
        List<String> problems = new ArrayList<>();
        for (Path mp : mountsUnder(root)) {
            if (mp.getParent() != null && mp.getParent().getFileName().toString().equals("mnt")) {
                umount(mp, problems);
                done.add("mount " + mp);
            }
        }
        for (String loop : loopsUnder(root)) {
            try {
                run(List.of("losetup", "--detach", loop));
                done.add("loop device " + loop);
            } catch (AccessException e) {
                problems.add(e.getMessage());
            }
        }
        for (Path mp : mountsUnder(root)) {
            umount(mp, problems);
            done.add("nbdfuse mount " + mp);
        }
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.toList()) {
                Path pidFile = dir.resolve(PID_FILE);
                if (Files.exists(pidFile)) {
                    try {
                        long pid = HostCommands.stopIfOurs(pidFile, dir.toString());
                        if (pid > 0) {
                            done.add("nbdfuse process " + pid);
                        }
                    } catch (IOException | NumberFormatException e) {
                        problems.add("unreadable " + pidFile + ": " + e.getMessage());
                    }
                }
                if (mountsUnder(dir).isEmpty()) {
                    HostCommands.remove(dir, "the browse directory");
                    done.add("directory " + dir.getFileName());
                } else {
                    problems.add("still mounted, left in place: " + mountsUnder(dir));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        if (!done.isEmpty() || !problems.isEmpty()) {
            LOG.warn("Removed what a stopped Blockferry left of its browse sessions: {}{}", done,
                    problems.isEmpty() ? "" : "; problems: " + problems);
        }
        return done;
    }
}
