package io.blockferry.source.rbd;

import com.ceph.rbd.RbdImage;
import io.blockferry.ceph.CephCluster;
import io.blockferry.changedblock.Extent;
import io.blockferry.source.ChangedBlocks;
import io.blockferry.source.VolumeId;

/** The changed extents of an RBD image between two snapshots, from its own handle at the newer one. */
final class RbdChangedBlocks implements ChangedBlocks {

    private final CephCluster ceph;
    private final VolumeId id;
    private final RbdImage image;
    private final RbdDiffExtents extents;
    private boolean closed;

    RbdChangedBlocks(CephCluster ceph, VolumeId id, String fromSnapshot, String toSnapshot) {
        this.ceph = ceph;
        this.id = id;
        this.image = ceph.openAt(id.pool(), id.name(), toSnapshot);
        try {
            String what = id.pool() + "/" + id.name() + "@" + toSnapshot;
            this.extents = new RbdDiffExtents(image, fromSnapshot, RbdVolume.sizeOf(image, what), what);
        } catch (RuntimeException e) {
            ceph.close(id.pool(), image);
            throw e;
        }
    }

    @Override
    public boolean hasNext() {
        return extents.hasNext();
    }

    @Override
    public Extent next() {
        return extents.next();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ceph.close(id.pool(), image);
        }
    }
}
