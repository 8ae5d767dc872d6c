package io.blockferry.source.rbd;

import com.ceph.rbd.RbdImage;
import io.blockferry.ceph.CephCluster;
import io.blockferry.ceph.ImageIo;
import io.blockferry.source.BlockReader;
import io.blockferry.source.VolumeId;
import java.nio.ByteBuffer;
import io.blockferry.concurrent.ReadGate;

/**
 * Reads an RBD image at a snapshot through librbd. Reads into direct buffers go straight into
 * their native memory ({@code rbd_read2}). Closing waits for reads in progress and refuses later
 * ones, so librbd never sees a handle it already freed.
 */
final class RbdSnapshotReader implements BlockReader {

    private final CephCluster ceph;
    private final VolumeId ref;
    private final String snapshot;
    private final RbdImage image;
    private final ReadGate gate;
    /** The image and snapshot, for messages. */
    private final String what;

    RbdSnapshotReader(CephCluster ceph, VolumeId ref, String snapshot) {
        this.ceph = ceph;
        this.ref = ref;
        this.snapshot = snapshot;
        this.image = ceph.openAt(ref.pool(), ref.name(), snapshot);
        this.what = ref + "@" + snapshot;
        this.gate = new ReadGate(what);
    }

    /** The size of the image at this snapshot. */
    @Override
    public long size() {
        return RbdVolume.sizeOf(image, ref + "@" + snapshot);
    }

    @Override
    public void read(long offset, ByteBuffer into) {
        gate.enter();
        try {
            ImageIo.read(image, offset, into, what);
        } finally {
            gate.leave();
        }
    }

    /** Waits for reads in progress, then closes the image once. */
    @Override
    public void close() {
        gate.close(() -> ceph.close(ref.pool(), image));
    }
}
