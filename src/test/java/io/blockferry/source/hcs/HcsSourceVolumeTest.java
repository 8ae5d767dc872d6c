package io.blockferry.source.hcs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.blockferry.hcssim.HcsSim;
import io.blockferry.source.BlockSource;
import io.blockferry.source.SourceVolumeContract;
import io.blockferry.source.VolumeId;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The HCS backend against the simulator: the disks are EVS disks on the simulated Dorado array,
 * snapshots are EVS snapshots, reads go through temporary disks attached to the proxy and found in
 * its device directory, and changes come from the array's bitmaps. After each test no temporary
 * disk is left.
 */
class HcsSourceVolumeTest extends SourceVolumeContract {

    private static HcsSim sim;
    private HcsBlockSource source;

    @BeforeAll
    static void startSimulator() {
        sim = HcsSim.start();
    }

    @AfterAll
    static void stopSimulator() {
        if (sim != null) {
            sim.close();
        }
    }

    @BeforeEach
    void connect() {
        sim.settings(Map.of("snapshot_limit", 128));
        source = new HcsBlockSource(SimBackend.settings(sim));
    }

    @Override
    protected void closeBackend() {
        source.close();
        assertEquals(0, sim.control("GET", "/temporary-disks", null).path("volumes").size(),
                "every temporary disk is detached and deleted once its reader is closed");
    }

    @Override
    protected BlockSource source() {
        return source;
    }

    @Override
    protected Guest newVolume(String name) {
        return new Guest() {
            private String id = create();

            private String create() {
                return sim.volume(SIZE, Map.of("name", name)).path("id").asText();
            }

            @Override
            public VolumeId id() {
                return new VolumeId("hcs", sim.projectId, id);
            }

            @Override
            public void write(long offset, byte[] data) {
                HcsSim.Resp r = sim.controlRaw("POST", "/volumes/" + id + "/write?offset=" + offset, data);
                assertEquals(200, r.status() / 100 * 100, r.text());
            }

            @Override
            public void discard(long offset, long length) {
                sim.writeOp(id, Map.of("offset", offset, "length", length, "discard", true));
            }

            @Override
            public void recreate() {
                sim.control("DELETE", "/volumes/" + id, null);
                id = create();
            }

            @Override
            public void limitSnapshots(int snapshots) {
                sim.settings(Map.of("snapshot_limit", snapshots));
            }

            @Override
            public void close() {
                sim.controlRaw("DELETE", "/volumes/" + id, null);
            }
        };
    }
}
