package io.blockferry.source.memory;

import io.blockferry.source.BlockSource;
import io.blockferry.source.SourceVolumeContract;
import io.blockferry.source.VolumeId;
import io.blockferry.testing.InMemoryBlockSource;

/**
 * The in-memory backend the fast planner and chunk-stream tests use passes the same contract as
 * RBD, so what those tests show holds for a real backend.
 */
class InMemorySourceVolumeTest extends SourceVolumeContract {

    private final InMemoryBlockSource source = new InMemoryBlockSource("mem");

    @Override
    protected BlockSource source() {
        return source;
    }

    @Override
    protected Guest newVolume(String name) {
        source.create("pool", name, SIZE);
        return new Guest() {
            @Override
            public VolumeId id() {
                return new VolumeId("mem", "pool", name);
            }

            @Override
            public void write(long offset, byte[] data) {
                source.write("pool", name, offset, data);
            }

            @Override
            public void discard(long offset, long length) {
                source.discard("pool", name, offset, length);
            }

            @Override
            public void recreate() {
                source.recreate("pool", name);
            }

            @Override
            public void limitSnapshots(int snapshots) {
                source.snapshotLimit(snapshots);
            }

            @Override
            public void close() {
            }
        };
    }
}
