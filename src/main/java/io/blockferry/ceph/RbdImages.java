package io.blockferry.ceph;

import com.ceph.rbd.Rbd;
import com.ceph.rbd.RbdException;
import com.ceph.rbd.RbdImage;
import java.util.Arrays;

/**
 * Makes and changes RBD images of one pool, for the demo and the benchmark (they write the images
 * they sync); Blockferry's sync itself only reads images and manages its snapshots.
 */
public final class RbdImages {

    /** layering, exclusive-lock, object-map, fast-diff: the features Cinder gives volumes. */
    public static final long FEATURES = 1L | 4L | 8L | 16L;

    /** Writes to one open image. */
    @FunctionalInterface
    public interface Writes {
        void to(Writer image) throws RbdException;
    }

    /** An image open for writing. */
    @FunctionalInterface
    public interface Writer {
        void write(byte[] data, long offset, int length) throws RbdException;
    }

    private final Rbd rbd;
    private final String pool;

    public RbdImages(CephCluster ceph, String pool) {
        this.rbd = ceph.rbd(pool);
        this.pool = pool;
    }

    /** Removes the image with every snapshot on it if it exists, then creates it empty (2^order byte objects). */
    public void recreate(String name, long size, int order) {
        removeWithSnapshots(name);
        try {
            rbd.create(name, size, FEATURES, order);
        } catch (RbdException e) {
            throw failure("create", name, e);
        }
    }

    public void removeWithSnapshots(String name) {
        try {
            if (!Arrays.asList(rbd.list()).contains(name)) {
                return;
            }
            RbdImage image = rbd.open(name);
            try {
                for (var snap : image.snapList()) {
                    image.snapRemove(snap.name);
                }
            } finally {
                rbd.close(image);
            }
            rbd.remove(name);
        } catch (RbdException e) {
            throw failure("remove", name, e);
        }
    }

    public void write(String name, Writes writes) {
        onHead(name, "write", image -> writes.to(image::write));
    }

    public void snapshot(String name, String snapshot) {
        onHead(name, "snapshot", image -> image.snapCreate(snapshot));
    }

    /** Removes one snapshot (as an operator's {@code rbd snap rm} would: it breaks Blockferry's chain). */
    public void removeSnapshot(String name, String snapshot) {
        onHead(name, "remove snapshot " + snapshot + " of", image -> image.snapRemove(snapshot));
    }

    private interface HeadAction {
        void on(RbdImage image) throws RbdException;
    }

    /** Opens the image's head, acts on it and closes it; a failure names what was being done. */
    private void onHead(String name, String what, HeadAction action) {
        try {
            RbdImage image = rbd.open(name);
            try {
                action.on(image);
            } finally {
                rbd.close(image);
            }
        } catch (RbdException e) {
            throw failure(what, name, e);
        }
    }

    private CephException failure(String what, String name, RbdException e) {
        return new CephException("cannot " + what + " RBD image " + pool + "/" + name + ": "
                + CephErrors.describe(e.getReturnValue()), Math.abs(e.getReturnValue()), e);
    }
}
