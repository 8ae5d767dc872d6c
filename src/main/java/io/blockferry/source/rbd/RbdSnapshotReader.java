package io.blockferry.source.rbd;

import com.ceph.rbd.RbdImage;
import io.blockferry.ceph.CephCluster;
import io.blockferry.ceph.CephErrors;
import io.blockferry.ceph.LibRbd;
import io.blockferry.source.BlockReader;
import io.blockferry.source.VolumeId;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
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

    RbdSnapshotReader(CephCluster ceph, VolumeId ref, String snapshot) {
        this.ceph = ceph;
        this.ref = ref;
        this.snapshot = snapshot;
        this.image = ceph.openAt(ref.pool(), ref.name(), snapshot);
        this.gate = new ReadGate(ref + "@" + snapshot);
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
            int length = into.remaining();
            long r;
            if (into.isDirect()) {
                Pointer at = Native.getDirectBufferPointer(into).share(into.position());
                r = LibRbd.INSTANCE.rbd_read2(image.getPointer(), offset, new NativeLong(length), at,
                        LibRbd.LIBRADOS_OP_FLAG_FADVISE_SEQUENTIAL).longValue();
            } else {
                byte[] bytes = new byte[length];
                r = image.read(offset, bytes, length);
                if (r == length) {
                    into.duplicate().put(bytes);
                }
            }
            if (r != length) {
                int errno = r < 0 ? (int) -r : CephErrors.EIO;
                throw CephErrors.failure("reading " + length + " bytes at offset " + offset + " of " + ref + "@"
                        + snapshot + " failed: " + (r < 0 ? CephErrors.describe(errno) : "short read of " + r
                        + " bytes"), errno, null);
            }
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
