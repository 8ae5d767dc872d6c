package io.blockferry.target.rbd;

import com.ceph.rbd.RbdException;
import com.ceph.rbd.RbdImage;
import com.ceph.rbd.jna.RbdSnapInfo;
import io.blockferry.ceph.AioWrites;
import io.blockferry.ceph.CephCluster;
import io.blockferry.ceph.CephErrors;
import io.blockferry.ceph.ImageIo;
import io.blockferry.ceph.RbdImages;
import io.blockferry.fault.FaultPoints;
import io.blockferry.source.BlockReader;
import io.blockferry.source.rbd.RbdImageReader;
import io.blockferry.target.RbdDiffCursor;
import io.blockferry.target.Replica;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A volume's replica as RBD images on the DR Ceph cluster, with one snapshot per committed
 * recovery point ({@code blockferry-g<generation>}), so the DR image at that snapshot is the source
 * snapshot of that generation, ready to be cloned for a failover.
 *
 * <p>Each full point gets an image of its own, {@code <volume>.g<generation>} ({@code /} of the
 * volume id written {@code .}): it is built as {@code <volume>.g<generation>.part}, snapshotted
 * once complete and renamed into place, which is the atomic install (an RBD rename is one update of
 * the pool's directory). The incrementals after it are applied to that image's head, each followed
 * by its snapshot. The live replica is the installed image of the newest generation; older full
 * images stay with their snapshots until retention has removed all of them. Everything the replica
 * needs to continue is thus in the DR pool itself, whichever writer finds it.
 *
 * <p>Crash-exactness, by step (a kill -9 right after each):
 * <ul>
 * <li>build writes: the {@code .part} image is half written; the writer resumes or rebuilds it;</li>
 * <li>install, snapshot taken: the {@code .part} image is complete with its snapshot; install again
 *     sees the snapshot, does not take another, and renames;</li>
 * <li>install, renamed: done; a repeated install finds no build and the caller knows it is in place;</li>
 * <li>apply, some writes done: the head is a mix, but no snapshot of the point exists yet (a
 *     half-applied point is never visible); applying again gives the point's image;</li>
 * <li>apply, snapshot taken: a repeated apply rewrites the same bytes and keeps the snapshot.</li>
 * </ul>
 */
public final class RbdReplica implements Replica {

    private static final Logger LOG = LoggerFactory.getLogger(RbdReplica.class);

    /** DR snapshots are named after the point's generation. */
    public static final String SNAPSHOT_PREFIX = "blockferry-g";
    /** 4 MiB objects, as Cinder makes them. */
    private static final int ORDER = 22;
    private static final String BUILD_SUFFIX = ".part";

    private final CephCluster dr;
    private final String pool;
    private final String base;
    private final int aioWindow;
    private final int aioBufferBytes;

    /**
     * @param aioWindow      writes of an apply in flight at once
     * @param aioBufferBytes the size of each of those writes (a buffer of that many bytes each)
     */
    public RbdReplica(CephCluster dr, String pool, String volumeId, int aioWindow, int aioBufferBytes) {
        this.dr = dr;
        this.pool = pool;
        this.base = imageBase(volumeId);
        this.aioWindow = aioWindow;
        this.aioBufferBytes = aioBufferBytes;
    }

    /** The DR image names of a volume start with its id, {@code /} written {@code .} (RBD names have no {@code /}). */
    public static String imageBase(String volumeId) {
        return volumeId.replace('/', '.');
    }

    public static String snapshotName(long generation) {
        return SNAPSHOT_PREFIX + generation;
    }

    private String installedName(long generation) {
        return base + ".g" + generation;
    }

    private String buildName(long generation) {
        return installedName(generation) + BUILD_SUFFIX;
    }

    /** This volume's installed images, by the generation of the full point each started with. */
    NavigableMap<Long, String> installed() {
        NavigableMap<Long, String> images = new TreeMap<>();
        String prefix = base + ".g";
        for (String name : dr.images(pool)) {
            if (name.startsWith(prefix) && name.substring(prefix.length()).matches("[0-9]{1,18}")) {
                images.put(Long.parseLong(name.substring(prefix.length())), name);
            }
        }
        return images;
    }

    private Optional<String> live() {
        return Optional.ofNullable(installed().lastEntry()).map(e -> e.getValue());
    }

    /** {@code pool/image@snapshot} of point {@code generation} on the DR cluster, if it has one. */
    public Optional<String> pointSnapshot(long generation) {
        var image = installed().floorEntry(generation);
        if (image == null) {
            return Optional.empty();
        }
        String snapshot = snapshotName(generation);
        return withImage(image.getValue(), "list the snapshots of", img -> hasSnapshot(img, snapshot))
                ? Optional.of(pool + "/" + image.getValue() + "@" + snapshot) : Optional.empty();
    }

    @Override
    public FullBuild build(long generation, long size) {
        String name = buildName(generation);
        RbdImages images = new RbdImages(dr, pool);
        images.removeWithSnapshots(name);
        try {
            dr.rbd(pool).create(name, size, RbdImages.FEATURES, ORDER);
        } catch (RbdException e) {
            throw failure("create", name, e);
        }
        return new Build(dr.open(pool, name), where(name));
    }

    @Override
    public FullBuild resumeBuild(long generation, long size) {
        String name = buildName(generation);
        RbdImage image = dr.open(pool, name);
        try {
            if (image.stat().size != size) {
                image.resize(size);
            }
        } catch (RbdException e) {
            dr.close(pool, image);
            throw failure("resize", name, e);
        }
        return new Build(image, where(name));
    }

    @Override
    public boolean hasBuild(long generation) {
        return dr.images(pool).contains(buildName(generation));
    }

    @Override
    public void discardBuild(long generation) {
        new RbdImages(dr, pool).removeWithSnapshots(buildName(generation));
    }

    @Override
    public void install(long generation) {
        String build = buildName(generation);
        String snapshot = snapshotName(generation);
        withImage(build, "snapshot", image -> {
            if (!hasSnapshot(image, snapshot)) {
                image.snapCreate(snapshot);
            }
            return null;
        });
        String installed = installedName(generation);
        if (dr.images(pool).contains(installed)) {
            // an image of this generation from a chain the catalog no longer has: the new full replaces it
            LOG.warn("DR image {} of an earlier chain is replaced by the new full point {}", where(installed), generation);
            new RbdImages(dr, pool).removeWithSnapshots(installed);
        }
        try {
            dr.rbd(pool).rename(build, installed);
        } catch (RbdException e) {
            throw failure("rename " + build + " to " + installed + ": cannot install", build, e);
        }
    }

    @Override
    public void apply(long generation, Path pointDiff) throws IOException {
        String name = live().orElseThrow(() -> new NoSuchFileException(where(base + ".g*"), null,
                "the DR replica is missing, so incremental " + pointDiff.getFileName() + " has nothing to apply to"));
        RbdImage image = dr.open(pool, name);
        try (RbdDiffCursor cursor = new RbdDiffCursor(pointDiff);
             AioWrites writes = new AioWrites(image, where(name), aioWindow, aioBufferBytes)) {
            if (image.stat().size != cursor.imageSize()) {
                image.resize(cursor.imageSize());
            }
            byte[] scratch = new byte[aioBufferBytes];
            boolean firstExtent = true;
            while (cursor.next()) {
                if (!cursor.data()) {
                    writes.zeroes(cursor.offset(), cursor.length());
                    continue;
                }
                long at = cursor.offset();
                for (long left = cursor.length(); left > 0; ) {
                    int n = (int) Math.min(aioBufferBytes, left);
                    cursor.read(scratch, 0, n);
                    writes.write(at, writes.buffer().put(scratch, 0, n));
                    at += n;
                    left -= n;
                }
                if (firstExtent) {
                    // a crash test's step: some of the point written and durable, its snapshot not taken
                    firstExtent = false;
                    writes.flush();
                    FaultPoints.reach(FaultPoints.Step.TARGET_MID_REPLICA_APPLY);
                }
            }
            writes.flush();
            String snapshot = snapshotName(generation);
            if (!hasSnapshot(image, snapshot)) {
                image.snapCreate(snapshot);
            }
        } catch (RbdException e) {
            throw new IOException("cannot apply " + pointDiff.getFileName() + " to " + where(name) + ": "
                    + CephErrors.describe(e.getReturnValue()), e);
        } finally {
            dr.close(pool, image);
        }
    }

    @Override
    public void forgetBefore(long oldestKept) {
        NavigableMap<Long, String> images = installed();
        String newest = images.isEmpty() ? null : images.lastEntry().getValue();
        for (String name : images.values()) {
            int left = withImage(name, "remove old snapshots of", image -> {
                int kept = 0;
                for (RbdSnapInfo snap : image.snapList()) {
                    Long generation = generationOf(snap.name);
                    if (generation == null || generation >= oldestKept) {
                        kept++;
                    } else if (image.snapIsProtected(snap.name)) {
                        kept++;
                        LOG.info("DR snapshot {}@{} of a removed point is kept: it is protected (a failover or "
                                + "drill clone uses it)", where(name), snap.name);
                    } else {
                        image.snapRemove(snap.name);
                    }
                }
                return kept;
            });
            if (left == 0 && !name.equals(newest)) {
                new RbdImages(dr, pool).removeWithSnapshots(name);
            }
        }
    }

    @Override
    public String problem(long expectedSize) {
        Optional<String> name = live();
        if (name.isEmpty()) {
            return "the DR replica " + where(base + ".g*") + " is missing";
        }
        long size = withImage(name.get(), "read the size of", image -> image.stat().size);
        return size == expectedSize ? null : "the DR replica " + where(name.get()) + " has " + size + " bytes, not "
                + expectedSize;
    }

    @Override
    public BlockReader reader() {
        String name = live().orElseThrow(() -> new IllegalStateException("the DR replica " + where(base + ".g*")
                + " is missing"));
        // read-only at the head (no snapshot): what the last apply left
        return new RbdImageReader(dr, pool, dr.openAt(pool, name, null), where(name));
    }

    @Override
    public String describe() {
        return live().map(this::where).orElse(where(base + ".g*"));
    }

    private String where(String image) {
        return "DR image " + pool + "/" + image;
    }

    private static Long generationOf(String snapshot) {
        if (!snapshot.startsWith(SNAPSHOT_PREFIX) || !snapshot.substring(SNAPSHOT_PREFIX.length()).matches("[0-9]{1,18}")) {
            return null;
        }
        return Long.parseLong(snapshot.substring(SNAPSHOT_PREFIX.length()));
    }

    private static boolean hasSnapshot(RbdImage image, String snapshot) throws RbdException {
        for (RbdSnapInfo snap : image.snapList()) {
            if (snap.name.equals(snapshot)) {
                return true;
            }
        }
        return false;
    }

    private interface ImageAction<T> {
        T on(RbdImage image) throws RbdException;
    }

    private <T> T withImage(String name, String what, ImageAction<T> action) {
        RbdImage image = dr.open(pool, name);
        try {
            return action.on(image);
        } catch (RbdException e) {
            throw failure(what, name, e);
        } finally {
            dr.close(pool, image);
        }
    }

    private RuntimeException failure(String what, String name, RbdException e) {
        return CephErrors.failure("cannot " + what + " " + where(name) + ": " + CephErrors.describe(e.getReturnValue()),
                e.getReturnValue(), e);
    }

    /** A full point's image, written as its records arrive (each write waits: the records come one by one). */
    private final class Build implements FullBuild {
        private final RbdImage image;
        private final String where;

        Build(RbdImage image, String where) {
            this.image = image;
            this.where = where;
        }

        @Override
        public void write(long offset, ByteBuffer data) {
            ImageIo.write(image, offset, data, where);
        }

        @Override
        public void force() {
            ImageIo.flush(image, where);
        }

        @Override
        public void close() {
            dr.close(pool, image);
        }
    }
}
