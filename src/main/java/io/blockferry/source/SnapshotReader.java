package io.blockferry.source;

import com.ceph.rbd.RbdImage;

/** Reads an RBD image at a snapshot through librbd. */
public final class SnapshotReader implements BlockReader {

    private final CephCluster ceph;
    private final VolumeRef ref;
    private final String snapshot;
    private final RbdImage image;
    private boolean closed;

    public SnapshotReader(CephCluster ceph, VolumeRef ref, String snapshot) {
        this.ceph = ceph;
        this.ref = ref;
        this.snapshot = snapshot;
        this.image = ceph.openAt(ref.pool(), ref.image(), snapshot);
    }

    public RbdImage image() {
        return image;
    }

    /** The size of the image at this snapshot. */
    public long size() {
        return SourceImage.sizeOf(image, ref + "@" + snapshot);
    }

    @Override
    public void read(long offset, byte[] buffer) {
        int r = image.read(offset, buffer, buffer.length);
        if (r != buffer.length) {
            int errno = r < 0 ? -r : CephErrors.EIO;
            throw CephErrors.failure("reading " + buffer.length + " bytes at offset " + offset + " of " + ref + "@"
                    + snapshot + " failed: " + (r < 0 ? CephErrors.describe(r) : "short read of " + r + " bytes"),
                    errno, null);
        }
    }

    /** Closes the image once: librbd must never see a handle it already freed. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            ceph.close(ref.pool(), image);
        }
    }
}
