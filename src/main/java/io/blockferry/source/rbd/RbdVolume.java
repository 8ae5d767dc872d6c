package io.blockferry.source.rbd;

import com.ceph.rbd.RbdException;
import com.ceph.rbd.RbdImage;
import com.sun.jna.NativeLong;
import io.blockferry.ceph.CephCluster;
import io.blockferry.ceph.CephErrors;
import io.blockferry.ceph.LibRbd;
import io.blockferry.source.BlockReader;
import io.blockferry.source.ChangedBlocks;
import io.blockferry.source.SnapshotLimitException;
import io.blockferry.source.SourceVolume;
import io.blockferry.source.VolumeId;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** An RBD image, its head open for its id, size and snapshots. Every librbd error is classified by {@link CephErrors}. */
final class RbdVolume implements SourceVolume {

    private final CephCluster ceph;
    private final VolumeId id;
    private final RbdImage image;
    private boolean closed;

    RbdVolume(CephCluster ceph, VolumeId id) {
        this.ceph = ceph;
        this.id = id;
        this.image = ceph.open(id.pool(), id.name());
    }

    @Override
    public VolumeId id() {
        return id;
    }

    /** librbd's immutable image id: a recreated image with the same name has a new one. */
    @Override
    public String identity() {
        byte[] buffer = new byte[64];
        int r = LibRbd.INSTANCE.rbd_get_id(image.getPointer(), buffer, new NativeLong(buffer.length));
        if (r < 0) {
            throw CephErrors.failure("cannot read the image id of " + what() + ": " + CephErrors.describe(r), r, null);
        }
        int end = 0;
        while (end < buffer.length && buffer[end] != 0) {
            end++;
        }
        return new String(buffer, 0, end, StandardCharsets.US_ASCII);
    }

    @Override
    public long size() {
        return sizeOf(image, what());
    }

    static long sizeOf(RbdImage image, String what) {
        try {
            return image.stat().size;
        } catch (RbdException e) {
            throw CephErrors.failure("cannot stat " + what + ": " + CephErrors.describe(e.getReturnValue()),
                    e.getReturnValue(), e);
        }
    }

    @Override
    public List<String> snapshots() {
        try {
            return image.snapList().stream().map(s -> s.name).toList();
        } catch (RbdException e) {
            throw CephErrors.failure("cannot list snapshots of " + what() + ": "
                    + CephErrors.describe(e.getReturnValue()), e.getReturnValue(), e);
        }
    }

    @Override
    public void createSnapshot(String name) {
        try {
            image.snapCreate(name);
        } catch (RbdException e) {
            if (Math.abs(e.getReturnValue()) == CephErrors.EDQUOT) {
                throw SnapshotLimitException.platformLimit(id.toString(), snapshots().size(), "librbd refused another "
                        + "snapshot (EDQUOT): the image has a limit set with 'rbd snap limit set'; clear it with 'rbd "
                        + "snap limit clear' or remove snapshots");
            }
            throw CephErrors.failure("cannot create snapshot " + what() + "@" + name + ": "
                    + CephErrors.describe(e.getReturnValue()), e.getReturnValue(), e);
        }
    }

    @Override
    public void removeSnapshot(String name) {
        try {
            image.snapRemove(name);
        } catch (RbdException e) {
            throw CephErrors.failure("cannot remove snapshot " + what() + "@" + name + ": "
                    + CephErrors.describe(e.getReturnValue()), e.getReturnValue(), e);
        }
    }

    @Override
    public BlockReader readerAt(String snapshot) {
        return RbdImageReader.atSnapshot(ceph, id, snapshot);
    }

    @Override
    public ChangedBlocks changes(String fromSnapshot, String toSnapshot) {
        return new RbdChangedBlocks(ceph, id, fromSnapshot, toSnapshot);
    }

    private String what() {
        return id.pool() + "/" + id.name();
    }

    /** Closes the image once: librbd must never see a handle it already freed. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ceph.close(id.pool(), image);
        }
    }

}
