package io.blockferry.access;

import io.blockferry.store.OwnerOnly;
import io.blockferry.target.RecoveryPoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports recovery points as NBD devices, each served by a child {@code nbdkit} process:
 *
 * <ul>
 * <li><b>What it serves.</b> Under the volume's lock (the one the writer and retention hold while
 *     they switch the catalog and rename point files) the point's chain (its last full point, then
 *     each incremental up to it) is hard-linked into {@code REPO/.exports/<id>/} and the export is
 *     registered as a pin of the point. The links share the diffs' data (nothing is copied), and
 *     a later merge or deletion by retention, or the commit of newer generations, cannot change
 *     what they hold. {@link ChainOverlay} then maps each range of the point to the diff that
 *     wrote it last, and nbdkit's python plugin serves that map ({@code point-overlay.py}). So the
 *     newest point and an older one are both exposed in the time it takes to read their chains'
 *     record headers, whatever the disk size, and an export keeps showing the point it was opened
 *     at while new generations commit (the replica, which changes in place at each commit, is
 *     never read).</li>
 * <li><b>Read-only</b> exports run {@code nbdkit -r}, and the plugin opens the diffs read-only.
 *     <b>Writable</b> ones add nbdkit's {@code cow} filter: writes go to its temporary overlay
 *     (an unlinked file in the export's directory, gone when nbdkit exits), never to a diff.</li>
 * <li><b>Pins.</b> {@link #pinned} tells retention not to remove a point while an export of it is open.</li>
 * <li><b>Processes.</b> nbdkit gets an empty environment but PATH and TMPDIR, and only paths and a
 *     port on its command line (nothing secret: the repository holds no secret). Each export's
 *     directory has nbdkit's pid file; {@link #close()} stops them all, and a new instance kills
 *     the nbdkit processes a killed Blockferry left (found by those pid files and checked by their
 *     command line) and removes their directories before anything else runs.</li>
 * </ul>
 */
public final class PointExports implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PointExports.class);
    private static final String SCRIPT = "point-overlay.py";
    private static final String PID_FILE = "nbdkit.pid";
    private static final SecureRandom IDS = new SecureRandom();

    /** Where exports listen and how nbdkit is run (the blockferry.access.* keys). */
    public record Config(String address, int portFirst, int portLast, String nbdkit, Duration startTimeout) {
        public Config {
            if (portFirst > portLast || portLast > 65535) {
                throw new IllegalArgumentException("blockferry.access.nbd-port-first (" + portFirst
                        + ") must not be above blockferry.access.nbd-port-last (" + portLast + "), at most 65535");
            }
        }
    }

    private record Open(NbdExport export, Process process, Path dir) {
    }

    private final Path root;
    private final Function<String, List<RecoveryPoint>> committed;
    private final Function<RecoveryPoint, Path> diffOf;
    private final Function<String, Object> locks;
    private final Config config;
    private final Map<String, Open> open = new LinkedHashMap<>();
    private final List<String> leftovers;
    /**
     * The one thread that starts every nbdkit. nbdkit asks the kernel for SIGTERM when the thread
     * that started it ends (PR_SET_PDEATHSIG, seen with Debian's nbdkit 1.32 even without
     * --exit-with-parent), so an export started from a request thread that a pool retires would
     * die with it; this thread lives until {@link #close()}.
     */
    private final java.util.concurrent.ExecutorService spawner = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "nbd-export-spawner");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param repository the repository root (the links must be on its file system)
     * @param committed  a volume's committed points, oldest first
     * @param locks      each volume's lock, the one retention and the writer hold
     */
    public PointExports(Path repository, Function<String, List<RecoveryPoint>> committed,
                        Function<RecoveryPoint, Path> diffOf, Function<String, Object> locks, Config config) {
        this.root = repository.toAbsolutePath().resolve(".exports");
        this.committed = committed;
        this.diffOf = diffOf;
        this.locks = locks;
        this.config = config;
        this.leftovers = cleanLeftovers(root);
    }

    /** What the start found left by a stopped process and removed, one line each (tests, logs). */
    public List<String> leftoversRemoved() {
        return leftovers;
    }

    /**
     * Exports point {@code generation} of the volume (null: its newest committed point).
     *
     * @throws AccessException NOT_FOUND when the volume has no such point, UNAVAILABLE when no port
     *                         of the range is free or nbdkit is missing, FAILED when nbdkit did not start
     */
    public NbdExport open(String volumeId, Long generation, boolean writable) {
        long began = System.nanoTime();
        String id = newId();
        Path dir = root.resolve(id);
        List<RecoveryPoint> chain;
        List<Path> links = new ArrayList<>();
        try {
            OwnerOnly.createDirectories(dir);
            synchronized (locks.apply(volumeId)) {
                chain = chainOf(volumeId, generation);
                for (RecoveryPoint point : chain) {
                    Path link = dir.resolve(String.format("g%06d.rbddiff", point.generation()));
                    Files.createLink(link, diffOf.apply(point));
                    links.add(link);
                }
                synchronized (this) {
                    // the pin counts from here, inside the volume's lock that retention takes to remove a point
                    open.put(id, new Open(placeholder(id, volumeId, chain.get(chain.size() - 1), writable), null, dir));
                }
            }
        } catch (IOException e) {
            HostCommands.remove(dir, "the export's directory");
            throw new AccessException(AccessException.Kind.FAILED, "cannot pin the chain of " + volumeId + " in " + dir
                    + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            HostCommands.remove(dir, "the export's directory");
            throw e;
        }
        try {
            RecoveryPoint point = chain.get(chain.size() - 1);
            ChainOverlay overlay = ChainOverlay.of(links);
            overlay.write(dir, links);
            try (InputStream script = PointExports.class.getResourceAsStream("/access/" + SCRIPT)) {
                Files.copy(script, dir.resolve(SCRIPT), StandardCopyOption.REPLACE_EXISTING);
            }
            Started started = start(dir, writable);
            NbdExport export = new NbdExport(id, volumeId, point.generation(), point.snapshot(), writable,
                    config.address(), started.port, "nbd://" + uriHost(config.address()) + ":" + started.port,
                    overlay.size(), overlay.dataBytes(), chain.stream().map(RecoveryPoint::generation).toList(),
                    started.process.pid(), System.currentTimeMillis(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
            synchronized (this) {
                open.put(id, new Open(export, started.process, dir));
            }
            LOG.info("Export {} of {} point {} ({}, chain {}) at {} in {} ms (nbdkit pid {})", id, volumeId,
                    point.generation(), writable ? "writable, writes to a throwaway overlay" : "read-only",
                    export.chain(), export.uri(), export.openMillis(), export.pid());
            return export;
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                open.remove(id);
            }
            HostCommands.remove(dir, "the export's directory");
            if (e instanceof AccessException a) {
                throw a;
            }
            throw new AccessException(AccessException.Kind.FAILED, "cannot export " + volumeId + ": " + e.getMessage(), e);
        }
    }

    /** The open exports, oldest first; one whose nbdkit died (killed from outside) is forgotten first. */
    public List<NbdExport> list() {
        reapDead();
        synchronized (this) {
            return open.values().stream().filter(o -> o.process() != null).map(Open::export).toList();
        }
    }

    public Optional<NbdExport> find(String id) {
        reapDead();
        synchronized (this) {
            Open o = open.get(id);
            return o == null || o.process() == null ? Optional.empty() : Optional.of(o.export());
        }
    }

    private void reapDead() {
        List<Open> dead;
        synchronized (this) {
            dead = open.values().stream().filter(o -> o.process() != null && !o.process().isAlive()).toList();
            dead.forEach(o -> open.remove(o.export().id()));
        }
        for (Open o : dead) {
            LOG.warn("Export {} of {} point {} ended on its own (nbdkit exited with {}): {}", o.export().id(),
                    o.export().volumeId(), o.export().generation(), o.process().exitValue(),
                    HostCommands.tail(o.dir().resolve("nbdkit.log")));
            HostCommands.remove(o.dir(), "the export's directory");
        }
    }

    /** Stops the export's nbdkit (its clients are disconnected), removes its links and its pin. */
    public NbdExport close(String id) {
        Open o;
        synchronized (this) {
            o = open.get(id);
            if (o == null || o.process() == null) {
                throw new AccessException(AccessException.Kind.NOT_FOUND, "no open export '" + id + "' (exports end "
                        + "when Blockferry stops)");
            }
        }
        stop(o.process());
        HostCommands.remove(o.dir(), "the export's directory");
        synchronized (this) {
            open.remove(id);
        }
        LOG.info("Export {} of {} point {} closed", id, o.export().volumeId(), o.export().generation());
        return o.export();
    }

    /** Whether an export of this point is open (or opening): retention must keep it. */
    public synchronized boolean pinned(String volumeId, long generation) {
        return open.values().stream().anyMatch(o -> o.export().volumeId().equals(volumeId)
                && o.export().generation() == generation);
    }

    /** Closes every export (Blockferry stops). */
    @Override
    public void close() {
        for (NbdExport e : list()) {
            try {
                close(e.id());
            } catch (RuntimeException ex) {
                LOG.warn("Export {} did not close cleanly: {}", e.id(), ex.getMessage());
            }
        }
        spawner.shutdown();
    }

    private List<RecoveryPoint> chainOf(String volumeId, Long generation) {
        List<RecoveryPoint> points = committed.apply(volumeId);
        if (points.isEmpty()) {
            throw new AccessException(AccessException.Kind.NOT_FOUND, "the target has no recovery point of " + volumeId);
        }
        long wanted = generation == null ? points.get(points.size() - 1).generation() : generation;
        int at = -1;
        for (int i = 0; i < points.size(); i++) {
            if (points.get(i).generation() == wanted) {
                at = i;
            }
        }
        if (at < 0) {
            throw new AccessException(AccessException.Kind.NOT_FOUND, "the target has no recovery point " + wanted + " of "
                    + volumeId + "; its points are " + points.stream().map(RecoveryPoint::generation).toList());
        }
        int full = at;
        while (full >= 0 && !"FULL".equals(points.get(full).mode())) {
            full--;
        }
        if (full < 0) {
            throw new AccessException(AccessException.Kind.FAILED, "recovery point " + wanted + " of " + volumeId
                    + " has no full point before it in the catalog");
        }
        return List.copyOf(points.subList(full, at + 1));
    }

    private record Started(Process process, int port) {
    }

    private Started start(Path dir, boolean writable) throws IOException {
        String lastFailure = "every port from " + config.portFirst() + " to " + config.portLast() + " is taken";
        for (int port = config.portFirst(); port <= config.portLast(); port++) {
            if (taken(port) || !free(port)) {
                continue;
            }
            List<String> command = new ArrayList<>(List.of(config.nbdkit(), "-f", "-i", config.address(),
                    "-p", Integer.toString(port), "-P", dir.resolve(PID_FILE).toString()));
            command.add(writable ? "--filter=cow" : "-r");
            command.addAll(List.of("python", dir.resolve(SCRIPT).toString(), "overlay=" + dir));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("nbdkit.log").toFile());
            Map<String, String> env = builder.environment();
            String path = env.getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
            env.clear();
            env.put("PATH", path);
            env.put("TMPDIR", dir.toString());
            Process process;
            try {
                process = spawner.submit(builder::start).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AccessException(AccessException.Kind.FAILED, "interrupted while starting nbdkit", e);
            } catch (java.util.concurrent.ExecutionException x) {
                Throwable e = x.getCause();
                throw new AccessException(AccessException.Kind.UNAVAILABLE, "cannot run " + config.nbdkit() + ": "
                        + e.getMessage() + " (install Debian's nbdkit and nbdkit-plugin-python, "
                        + "scripts/install-prerequisites.sh, or set blockferry.access.nbdkit-command)", e);
            }
            long deadline = System.nanoTime() + config.startTimeout().toNanos();
            while (true) {
                if (isReady(dir.resolve(PID_FILE))) {
                    return new Started(process, port);
                }
                if (!process.isAlive()) {
                    String log = HostCommands.tail(dir.resolve("nbdkit.log"));
                    lastFailure = "nbdkit exited with " + process.exitValue() + ": " + log;
                    if (log.contains("Address already in use")) {
                        break;
                    }
                    throw new AccessException(AccessException.Kind.FAILED, lastFailure);
                }
                if (System.nanoTime() > deadline) {
                    stop(process);
                    throw new AccessException(AccessException.Kind.FAILED, "nbdkit did not listen within "
                            + config.startTimeout().toSeconds() + " s: " + HostCommands.tail(dir.resolve("nbdkit.log")));
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
        throw new AccessException(AccessException.Kind.UNAVAILABLE, "no export could listen on " + config.address()
                + ": " + lastFailure + " (blockferry.access.nbd-port-first and -last)");
    }

    private synchronized boolean taken(int port) {
        return open.values().stream().anyMatch(o -> o.export().port() == port);
    }

    private boolean free(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getByName(config.address()), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isReady(Path pidFile) {
        try {
            return Files.exists(pidFile) && !Files.readString(pidFile).isBlank();
        } catch (IOException e) {
            return false;
        }
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private NbdExport placeholder(String id, String volumeId, RecoveryPoint point, boolean writable) {
        return new NbdExport(id, volumeId, point.generation(), point.snapshot(), writable, config.address(), -1, null,
                point.imageSize(), 0, List.of(), -1, System.currentTimeMillis(), 0);
    }

    private static String uriHost(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }

    private static String newId() {
        return String.format("x%08x", IDS.nextInt());
    }

    /**
     * Kills the nbdkit processes of exports a stopped Blockferry left (its pid file names the
     * process; it is killed only when its command line still names that export's directory) and
     * removes their directories.
     */
    static List<String> cleanLeftovers(Path root) {
        List<String> done = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return done;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.toList()) {
                String what = "export directory " + dir.getFileName();
                Path pidFile = dir.resolve(PID_FILE);
                if (Files.exists(pidFile)) {
                    try {
                        long pid = HostCommands.stopIfOurs(pidFile, "overlay=" + dir);
                        if (pid > 0) {
                            what += " and its nbdkit (pid " + pid + ", killed)";
                        }
                    } catch (IOException | NumberFormatException e) {
                        what += " (its pid file is unreadable: " + e.getMessage() + ")";
                    }
                }
                HostCommands.remove(dir, "the export's directory");
                done.add(what);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        if (!done.isEmpty()) {
            LOG.warn("Removed what a stopped Blockferry left of its NBD exports: {}", done);
        }
        return done;
    }


}
