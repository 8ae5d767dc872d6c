package io.blockferry.testing;

import com.ceph.rbd.Rbd;
import com.ceph.rbd.RbdException;
import com.ceph.rbd.RbdImage;
import io.blockferry.ceph.CephCluster;
import io.blockferry.ceph.CephSettings;
import java.util.Random;

/**
 * A source image for a test, written through librbd as client.admin with a seeded random
 * pattern, so what changed is known exactly.
 */
public final class TestImage implements AutoCloseable {

    private static final long FEATURES = 1L | 4L | 8L | 16L; // layering, exclusive-lock, object-map, fast-diff

    public final String pool;
    public final String name;
    private final CephCluster admin;
    private final Random random;
    private final boolean owned;

    /** An image that OpenStack (Cinder) made: written to, but left in place at close. */
    public static TestImage existing(String pool, String name, long seed) {
        return new TestImage(pool, name, seed);
    }

    private TestImage(String pool, String name, long seed) {
        this.pool = pool;
        this.name = name;
        this.random = new Random(seed);
        this.owned = false;
        this.admin = CephCluster.connect(new CephSettings(LocalCeph.conf(), "admin", null, 15));
    }

    public TestImage(String pool, String name, long size, long seed) {
        this.pool = pool;
        this.name = name;
        this.random = new Random(seed);
        this.owned = true;
        LocalCeph.removeImage(pool, name);
        this.admin = CephCluster.connect(new CephSettings(LocalCeph.conf(), "admin", null, 15));
        try {
            admin.rbd(pool).create(name, size, FEATURES, 22);
        } catch (RbdException e) {
            throw new IllegalStateException("cannot create test image " + pool + "/" + name, e);
        }
    }

    public String volumeId() {
        return pool + "/" + name;
    }

    /** Writes random bytes at an offset; returns them. */
    public byte[] writeRandom(long offset, int length) {
        byte[] data = new byte[length];
        random.nextBytes(data);
        write(offset, data);
        return data;
    }

    /** Writes explicit zeros (allocating the range, unlike a hole). */
    public void writeZeros(long offset, int length) {
        write(offset, new byte[length]);
    }

    /** The librbd call rados-java does not bind: a guest's trim (fstrim, a discard) of a range. */
    private interface Discard extends com.sun.jna.Library {
        Discard INSTANCE = com.sun.jna.Native.load("rbd", Discard.class);

        int rbd_discard(com.sun.jna.Pointer image, long offset, long length);
    }

    /** Discards a range, as a guest's fstrim does: it reads as zeros afterwards and holds no data. */
    public void discard(long offset, long length) {
        withImage("discard", image -> {
            int r = Discard.INSTANCE.rbd_discard(image.getPointer(), offset, length);
            if (r < 0) {
                throw new RbdException("rbd_discard failed: " + r, r);
            }
        });
    }

    /** Takes a snapshot that is not Blockferry's, as Cinder or a user would. */
    public void snapshot(String snapshot) {
        withImage("snapshot " + snapshot, image -> image.snapCreate(snapshot));
    }

    public void resize(long size) {
        withImage("resize", image -> image.resize(size));
    }

    /** Writes the given bytes at an offset. */
    public void write(long offset, byte[] data) {
        withImage("write", image -> image.write(data, offset, data.length));
    }

    private interface ImageAction {
        void apply(RbdImage image) throws RbdException;
    }

    private void withImage(String what, ImageAction action) {
        Rbd rbd = admin.rbd(pool);
        try {
            RbdImage image = rbd.open(name);
            try {
                action.apply(image);
            } finally {
                rbd.close(image);
            }
        } catch (RbdException e) {
            throw new IllegalStateException(what + " of " + volumeId() + " failed", e);
        }
    }

    @Override
    public void close() {
        try {
            if (owned) {
                LocalCeph.removeImage(pool, name);
            }
        } finally {
            admin.close();
        }
    }
}
