package io.blockferry.source.rbd;

import io.blockferry.ceph.CephCluster;
import io.blockferry.ceph.CephSettings;
import io.blockferry.source.BlockSource;
import io.blockferry.source.SourceVolumeContract;
import io.blockferry.source.VolumeId;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.TestImage;
import org.junit.jupiter.api.BeforeEach;

/** The RBD backend against the real Ceph of scripts/ceph-dev.sh, as the least-privileged client.blockferry. */
class RbdSourceVolumeTest extends SourceVolumeContract {

    private RbdBlockSource source;

    @BeforeEach
    void connect() {
        source = new RbdBlockSource("rbd", CephCluster.connect(
                new CephSettings(LocalCeph.conf(), "blockferry", LocalCeph.keyring(), 15)));
    }

    @Override
    protected void closeBackend() {
        source.close();
    }

    @Override
    protected BlockSource source() {
        return source;
    }

    @Override
    protected Guest newVolume(String name) {
        return new Guest() {
            private TestImage image = new TestImage("volumes", name, SIZE, 7);

            @Override
            public VolumeId id() {
                return new VolumeId("rbd", "volumes", name);
            }

            @Override
            public void write(long offset, byte[] data) {
                image.write(offset, data);
            }

            @Override
            public void discard(long offset, long length) {
                image.discard(offset, length);
            }

            @Override
            public void recreate() {
                image.close();
                image = new TestImage("volumes", name, SIZE, 7);
            }

            @Override
            public void limitSnapshots(int snapshots) {
                LocalCeph.rbd("snap", "limit", "set", "--limit", String.valueOf(snapshots), "volumes/" + name);
            }

            @Override
            public void close() {
                image.close();
            }
        };
    }
}
