package io.blockferry.source.rbd;

import io.blockferry.ceph.CephCluster;
import io.blockferry.source.BlockReader;
import io.blockferry.source.BlockSource;
import io.blockferry.source.SourceVolume;
import io.blockferry.source.VolumeId;
import java.util.List;

/** A Ceph cluster as a source backend: its pools' RBD images are the volumes. */
public final class RbdBlockSource implements BlockSource {

    private final String name;
    private final CephCluster ceph;

    public RbdBlockSource(String name, CephCluster ceph) {
        this.name = name;
        this.ceph = ceph;
    }

    @Override
    public String name() {
        return name;
    }

    /** The cluster behind it (the demo and tools create images through it). */
    public CephCluster cluster() {
        return ceph;
    }

    @Override
    public List<VolumeId> volumes(String pool) {
        return ceph.images(pool).stream().map(image -> new VolumeId(name, pool, image)).toList();
    }

    @Override
    public SourceVolume open(VolumeId id) {
        return new RbdVolume(ceph, id);
    }

    /** Reads an image at a snapshot through a cluster the caller owns (tools that check a sync's result). */
    public static BlockReader snapshotReader(CephCluster ceph, VolumeId id, String snapshot) {
        return RbdImageReader.atSnapshot(ceph, id, snapshot);
    }

    @Override
    public void ping() {
        ceph.ping();
    }

    @Override
    public void close() {
        ceph.close();
    }
}
