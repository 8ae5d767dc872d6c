package io.blockferry.access;

import static io.blockferry.access.HostCommands.cleanEnvironment;
import static io.blockferry.access.HostCommands.isMounted;
import static io.blockferry.access.HostCommands.mountsUnder;
import static io.blockferry.access.HostCommands.run;
import static io.blockferry.access.HostCommands.tail;
import static io.blockferry.access.HostCommands.umount;

import io.blockferry.store.OwnerOnly;
import io.blockferry.target.RecoveryPoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File-level restore: lists and reads the files of a recovery point without restoring its disk,
 * through the kernel's own filesystem drivers.
 *
 * <p>A <b>browse session</b> of a point is made at the first call for it and reused: the point is
 * exported read-only over NBD ({@link PointExports}, which pins it against retention), the export
 * is presented as a file by {@code nbdfuse -r} ({@code REPO/.browse/ID/fuse/disk}), its partition
 * table (GPT or MBR) is read by util-linux's {@code partx}, each partition is attached as a
 * read-only loop device ({@code losetup --read-only --offset --sizelimit}; a disk without a table
 * is one filesystem, {@code disk}), {@code blkid} names its type, and it is mounted read-only
 * under {@code REPO/.browse/ID/mnt/pN}: ext3/ext4 with {@code ro,noload}, XFS with
 * {@code ro,norecovery}, NTFS with ntfs-3g {@code ro}, anything else the kernel knows with
 * {@code ro}. Nothing replays a journal and nothing is written. A session is closed after
 * {@code idleTimeout} without a call (never while a download reads from it) and when Blockferry
 * stops.
 *
 * <p><b>Paths</b> are {@code /PART/dir/file}. A {@code ..} segment is refused; symbolic links are
 * listed as links, and a path is served only when its real path, links followed, stays inside its
 * filesystem's mount (an absolute link is resolved against the host and so refused).
 *
 * <p><b>What a kill -9 leaves</b>: the read-only mounts, the loop devices, the nbdfuse FUSE mount
 * and its nbdfuse process (the nbdkit behind it ends with its parent). A new instance finds them
 * all under {@code REPO/.browse/} ({@code /proc/self/mountinfo}, {@code losetup --list}, the
 * nbdfuse pid file) and removes them before anything else runs.
 */
public final class FileBrowser implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FileBrowser.class);
    private static final SecureRandom IDS = new SecureRandom();

    /** How long an unused session stays mounted, and how long nbdfuse may take to be ready. */
    public record Config(Duration idleTimeout, Duration startTimeout) {
    }

    /** A directory entry: type is file, dir, symlink or other; target is a link's text; filesystem and error only at the top. */
    public record Entry(String name, String type, long size, String mtime, String mode, int uid, int gid, String target,
                        String filesystem, String error) {
    }

    /** The answer of a listing: path is what was listed; a file lists as itself. */
    public record Listing(String volumeId, long generation, String path, String type, List<Entry> entries) {
    }

    /**
     * A file to download: its bytes come from {@code stream}, which must be closed. A directory
     * comes as a tar archive of it ({@code mediaType} application/x-tar, {@code size} -1: unknown
     * until it ends).
     */
    public record Content(String volumeId, long generation, String path, String name, long size, long modifiedMillis,
                          InputStream stream, String mediaType) {

        public static final String FILE = "application/octet-stream";
        public static final String TAR = "application/x-tar";

        /** Whether the size is known (a file), so the answer can carry a Content-Length. */
        public boolean sized() {
            return size >= 0;
        }
    }

    /** What a browse session holds, for the API and tests. */
    public record SessionInfo(String id, String volumeId, long generation, String exportId, List<Entry> filesystems,
                              long mountMillis) {
    }

    private final class Session {
        final String id;
        final String key;
        final String volumeId;
        final long generation;
        final Path dir;
        NbdExport export;
        Process nbdfuse;
        final List<BrowsePart> parts = new ArrayList<>();
        final List<String> loops = new ArrayList<>();
        int active;
        long lastUsed = System.nanoTime();
        boolean closed;
        long mountMillis;

        Session(String key, String volumeId, long generation) {
            this.id = String.format("b%08x", IDS.nextInt());
            this.key = key;
            this.volumeId = volumeId;
            this.generation = generation;
            this.dir = root.resolve(id);
        }

        /** The point in messages: "point 3 of pool/image". */
        String point() {
            return "point " + generation + " of " + volumeId;
        }

        SessionInfo info() {
            return new SessionInfo(id, volumeId, generation, export == null ? null : export.id(),
                    parts.stream().map(PointPaths::partEntry).toList(), mountMillis);
        }
    }

    private final Path root;
    private final PointExports exports;
    private final Function<String, List<RecoveryPoint>> committed;
    private final Config config;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Object> keyLocks = new ConcurrentHashMap<>();
    private final List<String> leftovers;
    private final ScheduledExecutorService reaper;
    /** nbdfuse is started from one long-lived thread, as PointExports starts nbdkit. */
    private final ExecutorService spawner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "browse-spawner");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param repository the repository root ({@code .browse/} is made in it)
     * @param committed  a volume's committed points, oldest first (to find the newest)
     */
    public FileBrowser(Path repository, PointExports exports, Function<String, List<RecoveryPoint>> committed,
                       Config config) {
        this.root = realRoot(repository.toAbsolutePath().resolve(".browse"));
        this.exports = exports;
        this.committed = committed;
        this.config = config;
        this.leftovers = BrowseLeftovers.clean(root);
        this.reaper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "browse-idle-reaper");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(200, Math.min(30_000, config.idleTimeout().toMillis() / 4));
        reaper.scheduleWithFixedDelay(this::closeIdle, every, every, TimeUnit.MILLISECONDS);
    }

    private static Path realRoot(Path root) {
        try {
            OwnerOnly.createDirectories(root);
            return root.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + root, e);
        }
    }

    /** What the start found left by a killed process and removed, one line each. */
    public List<String> leftoversRemoved() {
        return leftovers;
    }

    /** The open browse sessions. */
    public List<SessionInfo> sessions() {
        return sessions.values().stream().filter(s -> !s.closed).map(Session::info).toList();
    }

    /**
     * Lists {@code path} of point {@code generation} (null: the newest): {@code /} lists the
     * partitions and filesystems found, a directory its entries, a file or link itself.
     */
    public Listing list(String volumeId, Long generation, String path) {
        Session s = acquire(volumeId, generation);
        try {
            List<String> segments = PointPaths.segments(path, s.point());
            String shown = "/" + String.join("/", segments);
            if (segments.isEmpty()) {
                return new Listing(volumeId, s.generation, "/", "dir", s.parts.stream().map(PointPaths::partEntry).toList());
            }
            BrowsePart part = PointPaths.part(s.parts, s.point(), segments.get(0), shown);
            Path mount = PointPaths.realMount(part);
            Path target = PointPaths.walk(mount, segments.subList(1, segments.size()), false, shown, s.point());
            if (Files.isSymbolicLink(target)) {
                try {
                    Path real = PointPaths.follow(target, mount, shown, s.point());
                    if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
                        return new Listing(volumeId, s.generation, shown, "symlink", List.of(PointPaths.entry(target)));
                    }
                    target = real;
                } catch (AccessException e) {
                    // a link out of the filesystem or to nothing is listed, never followed
                    return new Listing(volumeId, s.generation, shown, "symlink", List.of(PointPaths.entry(target)));
                }
            }
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                List<Entry> entries = new ArrayList<>();
                try (Stream<Path> children = Files.list(target)) {
                    for (Path child : children.sorted().toList()) {
                        entries.add(PointPaths.entry(child));
                    }
                }
                return new Listing(volumeId, s.generation, shown, "dir", entries);
            }
            return new Listing(volumeId, s.generation, shown, PointPaths.entry(target).type(), List.of(PointPaths.entry(target)));
        } catch (IOException e) {
            throw new AccessException(AccessException.Kind.FAILED, "cannot list " + path + " of point " + s.generation
                    + " of " + volumeId + ": " + e.getMessage(), e);
        } finally {
            release(s);
        }
    }

    /**
     * Opens a regular file of the point for reading, or a directory as a tar archive of it; the
     * session stays mounted until the stream is closed.
     */
    public Content open(String volumeId, Long generation, String path) {
        Session s = acquire(volumeId, generation);
        boolean handedOut = false;
        try {
            List<String> segments = PointPaths.segments(path, s.point());
            String shown = "/" + String.join("/", segments);
            if (segments.isEmpty()) {
                throw new AccessException(AccessException.Kind.INVALID, "/ of " + s.point() + " holds its "
                        + "filesystems: fetch one of them (/p1) or a directory or file in it");
            }
            BrowsePart part = PointPaths.part(s.parts, s.point(), segments.get(0), shown);
            Path mount = PointPaths.realMount(part);
            Path real = PointPaths.walk(mount, segments.subList(1, segments.size()), true, shown, s.point());
            if (Files.isDirectory(real)) {
                long modified = Files.getLastModifiedTime(real).toMillis();
                InputStream tar = DirectoryArchive.of(real, () -> release(s));
                handedOut = true;
                return new Content(volumeId, s.generation, shown, real.getFileName() + ".tar", -1, modified, tar,
                        Content.TAR);
            }
            if (!Files.isRegularFile(real)) {
                throw new AccessException(AccessException.Kind.INVALID, shown + " of point " + s.generation + " of "
                        + volumeId + " is not a regular file");
            }
            long size = Files.size(real);
            FileTime mtime = Files.getLastModifiedTime(real);
            InputStream in = Files.newInputStream(real);
            InputStream tracked = new ReleasingInputStream(in, () -> release(s));
            handedOut = true;
            return new Content(volumeId, s.generation, shown, real.getFileName().toString(), size, mtime.toMillis(),
                    tracked, Content.FILE);
        } catch (IOException e) {
            throw new AccessException(AccessException.Kind.FAILED, "cannot read " + path + " of point " + s.generation
                    + " of " + volumeId + ": " + e.getMessage(), e);
        } finally {
            if (!handedOut) {
                release(s);
            }
        }
    }

    /** Closes the session of a point now, if one is open (tests, and an operator's way to release its pin). */
    public boolean closeSession(String volumeId, long generation) {
        String key = volumeId + "@" + generation;
        synchronized (keyLock(key)) {
            Session s = sessions.remove(key);
            if (s == null) {
                return false;
            }
            unmount(s);
            return true;
        }
    }

    /** Unmounts every session (Blockferry stops). */
    @Override
    public void close() {
        reaper.shutdownNow();
        for (String key : List.copyOf(sessions.keySet())) {
            synchronized (keyLock(key)) {
                Session s = sessions.remove(key);
                if (s != null) {
                    unmount(s);
                }
            }
        }
        spawner.shutdown();
    }

    // ------------------------------------------------------------------ sessions

    private Object keyLock(String key) {
        return keyLocks.computeIfAbsent(key, k -> new Object());
    }

    private Session acquire(String volumeId, Long generation) {
        long gen = generation != null ? generation : newest(volumeId);
        String key = volumeId + "@" + gen;
        synchronized (keyLock(key)) {
            Session s = sessions.get(key);
            if (s != null && !s.closed && s.active <= 0 && (!s.nbdfuse.isAlive()
                    || exports.find(s.export.id()).isEmpty())) {
                // its nbdfuse or its export ended (an operator's blockferry unmount of the export): mount again
                LOG.warn("Browse session {} of {} point {} lost its {}: mounting the point again", s.id, volumeId, gen,
                        s.nbdfuse.isAlive() ? "NBD export" : "nbdfuse");
                sessions.remove(key);
                unmount(s);
                s = null;
            }
            if (s == null || s.closed) {
                s = mount(key, volumeId, gen);
                sessions.put(key, s);
            }
            s.active++;
            s.lastUsed = System.nanoTime();
            return s;
        }
    }

    private void release(Session s) {
        synchronized (keyLock(s.key)) {
            s.active--;
            s.lastUsed = System.nanoTime();
        }
    }

    private long newest(String volumeId) {
        List<RecoveryPoint> points = committed.apply(volumeId);
        if (points.isEmpty()) {
            throw new AccessException(AccessException.Kind.NOT_FOUND, "the target has no recovery point of " + volumeId);
        }
        return points.get(points.size() - 1).generation();
    }

    private void closeIdle() {
        try {
            long now = System.nanoTime();
            for (Session s : List.copyOf(sessions.values())) {
                synchronized (keyLock(s.key)) {
                    if (!s.closed && s.active <= 0 && now - s.lastUsed > config.idleTimeout().toNanos()
                            && sessions.get(s.key) == s) {
                        sessions.remove(s.key);
                        LOG.info("Browse session {} of {} point {} idle for {}: unmounting", s.id, s.volumeId,
                                s.generation, config.idleTimeout());
                        unmount(s);
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Closing idle browse sessions failed: {}", e.getMessage(), e);
        }
    }

    private Session mount(String key, String volumeId, long generation) {
        long began = System.nanoTime();
        Session s = new Session(key, volumeId, generation);
        try {
            OwnerOnly.createDirectories(s.dir.resolve("fuse"));
            OwnerOnly.createDirectories(s.dir.resolve("mnt"));
            s.export = exports.open(volumeId, generation, false);
            Path disk = startNbdfuse(s);
            List<long[]> table = Filesystems.partitions(disk);
            if (table.isEmpty()) {
                table = List.of(new long[] {0, 0, Files.size(disk)});
            }
            for (long[] p : table) {
                String name = p[0] == 0 ? "disk" : "p" + p[0];
                List<String> losetup = new ArrayList<>(List.of("losetup", "--find", "--show", "--read-only"));
                if (p[0] != 0) {
                    losetup.addAll(List.of("--offset", Long.toString(p[1]), "--sizelimit", Long.toString(p[2])));
                }
                losetup.add(disk.toString());
                String device = run(losetup).strip();
                s.loops.add(device);
                String type = Filesystems.blkidType(device);
                Path mount = s.dir.resolve("mnt").resolve(name);
                if (type.isEmpty()) {
                    s.parts.add(new BrowsePart(name, device, null, p[2], null, "no filesystem blkid knows"));
                    continue;
                }
                Files.createDirectories(mount);
                try {
                    run(Filesystems.mountCommand(type, device, mount));
                    s.parts.add(new BrowsePart(name, device, type, p[2], mount, null));
                } catch (AccessException e) {
                    s.parts.add(new BrowsePart(name, device, type, p[2], null, "cannot mount it read-only: " + e.getMessage()));
                }
            }
            s.mountMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            LOG.info("Browse session {} of {} point {} mounted in {} ms: {}", s.id, volumeId, generation, s.mountMillis,
                    s.parts.stream().map(p -> p.name() + " " + (p.filesystem() == null ? "?" : p.filesystem())
                            + (p.error() == null ? "" : " (" + p.error() + ")")).toList());
            return s;
        } catch (IOException | RuntimeException e) {
            unmount(s);
            if (e instanceof AccessException a) {
                throw a;
            }
            throw new AccessException(AccessException.Kind.FAILED, "cannot mount point " + generation + " of " + volumeId
                    + ": " + e.getMessage(), e);
        }
    }

    private Path startNbdfuse(Session s) throws IOException {
        Path fuse = s.dir.resolve("fuse");
        Path pidFile = s.dir.resolve(BrowseLeftovers.PID_FILE);
        ProcessBuilder builder = new ProcessBuilder("nbdfuse", "-r", "-P", pidFile.toString(),
                fuse.resolve("disk").toString(), s.export.uri()).redirectErrorStream(true)
                .redirectOutput(s.dir.resolve("nbdfuse.log").toFile());
        cleanEnvironment(builder);
        try {
            s.nbdfuse = spawner.submit(builder::start).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AccessException(AccessException.Kind.FAILED, "interrupted while starting nbdfuse", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AccessException(AccessException.Kind.UNAVAILABLE, "cannot run nbdfuse: " + e.getCause().getMessage()
                    + " (install Debian's libnbd-bin and fuse3, scripts/install-prerequisites.sh)", e.getCause());
        }
        long deadline = System.nanoTime() + config.startTimeout().toNanos();
        while (true) {
            try {
                if (Files.exists(pidFile) && !Files.readString(pidFile).isBlank() && Files.exists(fuse.resolve("disk"))) {
                    return fuse.resolve("disk");
                }
            } catch (IOException e) {
                // not yet
            }
            if (!s.nbdfuse.isAlive()) {
                throw new AccessException(AccessException.Kind.FAILED, "nbdfuse exited with " + s.nbdfuse.exitValue()
                        + ": " + tail(s.dir.resolve("nbdfuse.log")));
            }
            if (System.nanoTime() > deadline) {
                throw new AccessException(AccessException.Kind.FAILED, "nbdfuse was not ready within "
                        + config.startTimeout().toSeconds() + " s: " + tail(s.dir.resolve("nbdfuse.log")));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private void unmount(Session s) {
        s.closed = true;
        List<String> problems = new ArrayList<>();
        for (BrowsePart p : s.parts) {
            if (p.mount() != null) {
                umount(p.mount(), problems);
            }
        }
        for (String loop : s.loops) {
            try {
                run(List.of("losetup", "--detach", loop));
            } catch (AccessException e) {
                problems.add(e.getMessage());
            }
        }
        if (s.nbdfuse != null) {
            if (isMounted(s.dir.resolve("fuse"))) {
                umount(s.dir.resolve("fuse"), problems);
            }
            try {
                if (!s.nbdfuse.waitFor(10, TimeUnit.SECONDS)) {
                    s.nbdfuse.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (s.export != null) {
            try {
                exports.close(s.export.id());
            } catch (RuntimeException e) {
                problems.add(e.getMessage());
            }
        }
        if (mountsUnder(s.dir).isEmpty()) {
            HostCommands.remove(s.dir, "the browse directory");
        } else {
            problems.add("still mounted, left in place: " + mountsUnder(s.dir));
        }
        if (problems.isEmpty()) {
            LOG.info("Browse session {} of {} point {} unmounted", s.id, s.volumeId, s.generation);
        } else {
            LOG.warn("Browse session {} of {} point {} unmounted with problems: {}", s.id, s.volumeId, s.generation,
                    problems);
        }
    }
}
