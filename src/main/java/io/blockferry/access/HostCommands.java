package io.blockferry.access;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The host's tools as the access package runs them: commands with only paths and numbers on
 * their line and a bare environment (never a secret), mounts and loop devices found under a
 * directory, a process's command line, and the removal of a directory tree.
 */
final class HostCommands {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    private HostCommands() {
    }

    static void cleanEnvironment(ProcessBuilder builder) {
        Map<String, String> env = builder.environment();
        String path = env.getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        env.clear();
        env.put("PATH", path.contains("sbin") ? path : path + ":/usr/sbin:/sbin");
    }

    /** Runs a command (only paths and numbers on its line) and answers its standard output. */
    static String run(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        cleanEnvironment(builder);
        try {
            Process p = builder.start();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AccessException(AccessException.Kind.FAILED, String.join(" ", command) + " did not end");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AccessException(AccessException.Kind.FAILED, String.join(" ", command) + " exited with "
                        + p.exitValue() + ": " + text.strip());
            }
            return text;
        } catch (IOException e) {
            throw new AccessException(AccessException.Kind.UNAVAILABLE, "cannot run " + command.get(0) + ": "
                    + e.getMessage() + " (scripts/install-prerequisites.sh installs what file-level restore needs)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AccessException(AccessException.Kind.FAILED, "interrupted", e);
        }
    }

    /** Mount points under dir, deepest first (from /proc/self/mountinfo). */
    static List<Path> mountsUnder(Path dir) {
        List<Path> found = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4) {
                    Path mp = Path.of(f[4].replace("\\040", " "));
                    if (mp.startsWith(dir)) {
                        found.add(mp);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        found.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return found;
    }

    static boolean isMounted(Path mount) {
        return mountsUnder(mount).contains(mount);
    }

    /** Loop devices whose backing file is under dir. */
    static List<String> loopsUnder(Path dir) {
        List<String> found = new ArrayList<>();
        String out;
        try {
            out = run(List.of("losetup", "--list", "--noheadings", "--raw", "--output", "NAME,BACK-FILE"));
        } catch (AccessException e) {
            return found;
        }
        for (String line : out.split("\n")) {
            String[] f = line.strip().split(" ", 2);
            if (f.length == 2 && f[1].startsWith(dir.toString() + "/")) {
                found.add(f[0]);
            }
        }
        return found;
    }

    static void umount(Path mount, List<String> problems) {
        try {
            run(List.of("umount", mount.toString()));
        } catch (AccessException e) {
            try {
                run(List.of("umount", "--lazy", mount.toString()));
            } catch (AccessException lazy) {
                problems.add(lazy.getMessage());
            }
        }
    }

    /** A process's command line (/proc/PID/cmdline, NULs as spaces), or "" when it is gone. */
    static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Stops the process a pid file names if it is still alive and its command line holds
     * {@code marker} (so a reused pid of another process is never touched): TERM, then KILL after
     * 10 s.
     *
     * @return the pid stopped, or -1 when there was nothing of ours to stop
     * @throws IOException             when the pid file cannot be read
     * @throws NumberFormatException   when it holds no pid
     */
    static long stopIfOurs(Path pidFile, String marker) throws IOException {
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        java.util.Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive() || !cmdline(pid).contains(marker)) {
            return -1;
        }
        handle.get().destroy();
        try {
            handle.get().onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            handle.get().destroyForcibly();
        }
        return pid;
    }

    /** The end of a log file, for an error message. */
    static String tail(Path log) {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8).strip();
            return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** Removes a directory tree (what names it in the error). */
    static void remove(Path dir, String what) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + what + " " + dir + ": " + e.getMessage(), e);
        }
    }
}
