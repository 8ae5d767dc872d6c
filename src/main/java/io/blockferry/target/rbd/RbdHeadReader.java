package io.blockferry.target.rbd;

import com.ceph.rbd.RbdException;
import com.ceph.rbd.RbdImage;
import io.blockferry.ceph.CephCluster;
import io.blockferry.ceph.CephErrors;
import io.blockferry.ceph.ImageIo;
import io.blockferry.concurrent.ReadGate;
import io.blockferry.source.BlockReader;
import java.nio.ByteBuffer;

/** Reads the head of a DR image, opened read-only; closing waits for reads in progress. */
final class RbdHeadReader implements BlockReader {

    private final CephCluster dr;
    private final String pool;
    private final String where;
    private final RbdImage image;
    private final ReadGate gate;

    RbdHeadReader(CephCluster dr, String pool, String name, String where) {
        this.dr = dr;
        this.pool = pool;
        this.where = where;
        try {
            this.image = dr.rbd(pool).openReadOnly(name);
        } catch (RbdException e) {
            throw CephErrors.failure("cannot open " + where + ": " + CephErrors.describe(e.getReturnValue()),
                    e.getReturnValue(), e);
        }
        this.gate = new ReadGate(where);
    }

    @Override
    public long size() {
        try {
            return image.stat().size;
        } catch (RbdException e) {
            throw CephErrors.failure("cannot read the size of " + where + ": " + CephErrors.describe(e.getReturnValue()),
                    e.getReturnValue(), e);
        }
    }

    @Override
    public void read(long offset, ByteBuffer into) {
        gate.enter();
        try {
            ImageIo.read(image, offset, into, where);
        } finally {
            gate.leave();
        }
    }

    @Override
    public void close() {
        gate.close(() -> dr.close(pool, image));
    }
}
