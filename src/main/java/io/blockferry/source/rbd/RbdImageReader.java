package io.blockferry.source.rbd;

import com.ceph.rbd.RbdImage;
import io.blockferry.ceph.CephCluster;
import io.blockferry.ceph.ImageIo;
import io.blockferry.concurrent.ReadGate;
import io.blockferry.source.BlockReader;
import io.blockferry.source.VolumeId;
import java.nio.ByteBuffer;

/**
 * Reads an open RBD image (at a snapshot, or a DR replica's head) through librbd. Reads into direct
 * buffers go straight into their native memory ({@code rbd_read2}). Closing waits for reads in
 * progress, refuses later ones and closes the image once, so librbd never sees a handle it freed.
 */
public final class RbdImageReader implements BlockReader {

    private final CephCluster ceph;
    private final String pool;
    private final RbdImage image;
    /** The image (and snapshot), for messages. */
    private final String what;
    private final ReadGate gate;

    /** Takes over {@code image}, of {@code pool}, which it closes. */
    public RbdImageReader(CephCluster ceph, String pool, RbdImage image, String what) {
        this.ceph = ceph;
        this.pool = pool;
        this.image = image;
        this.what = what;
        this.gate = new ReadGate(what);
    }

    /** The volume's image opened read-only at {@code snapshot}. */
    static RbdImageReader atSnapshot(CephCluster ceph, VolumeId ref, String snapshot) {
        return new RbdImageReader(ceph, ref.pool(), ceph.openAt(ref.pool(), ref.name(), snapshot),
                ref + "@" + snapshot);
    }

    /** The size of the image as opened. */
    @Override
    public long size() {
        return RbdVolume.sizeOf(image, what);
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
        gate.close(() -> ceph.close(pool, image));
    }
}
