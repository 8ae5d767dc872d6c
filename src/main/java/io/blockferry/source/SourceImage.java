package io.blockferry.source;

import com.ceph.rbd.RbdException;
import com.ceph.rbd.RbdImage;
import com.ceph.rbd.jna.RbdSnapInfo;
import com.sun.jna.NativeLong;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The head of a source RBD image, open for snapshot management. */
public final class SourceImage implements AutoCloseable {

    private final CephCluster ceph;
    private final VolumeRef ref;
    private final RbdImage image;
    private boolean closed;

    public SourceImage(CephCluster ceph, VolumeRef ref) {
        this.ceph = ceph;
        this.ref = ref;
        this.image = ceph.open(ref.pool(), ref.image());
    }

    /** librbd's immutable image id: a recreated image with the same name has a new one. */
    public String id() {
        byte[] buffer = new byte[64];
        int r = LibRbd.INSTANCE.rbd_get_id(image.getPointer(), buffer, new NativeLong(buffer.length));
        if (r < 0) {
            throw new CephException("cannot read the image id of " + ref + ": " + CephErrors.describe(r), -r);
        }
        int end = 0;
        while (end < buffer.length && buffer[end] != 0) {
            end++;
        }
        return new String(buffer, 0, end, StandardCharsets.US_ASCII);
    }

    public long size() {
        return sizeOf(image, ref.toString());
    }

    static long sizeOf(RbdImage image, String what) {
        try {
            return image.stat().size;
        } catch (RbdException e) {
            throw new CephException("cannot stat " + what + ": " + CephErrors.describe(e.getReturnValue()),
                    Math.abs(e.getReturnValue()), e);
        }
    }

    public List<String> snapshotNames() {
        return snapshots().stream().map(s -> s.name).toList();
    }

    public List<RbdSnapInfo> snapshots() {
        try {
            return image.snapList();
        } catch (RbdException e) {
            throw new CephException("cannot list snapshots of " + ref + ": " + CephErrors.describe(e.getReturnValue()),
                    Math.abs(e.getReturnValue()), e);
        }
    }

    public void createSnapshot(String name) {
        try {
            image.snapCreate(name);
        } catch (RbdException e) {
            throw CephErrors.failure("cannot create snapshot " + ref + "@" + name + ": "
                    + CephErrors.describe(e.getReturnValue()), e.getReturnValue(), e);
        }
    }

    public void removeSnapshot(String name) {
        try {
            image.snapRemove(name);
        } catch (RbdException e) {
            throw new CephException("cannot remove snapshot " + ref + "@" + name + ": "
                    + CephErrors.describe(e.getReturnValue()), Math.abs(e.getReturnValue()), e);
        }
    }

    /** Closes the image once: librbd must never see a handle it already freed. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ceph.close(ref.pool(), image);
        }
    }
}
