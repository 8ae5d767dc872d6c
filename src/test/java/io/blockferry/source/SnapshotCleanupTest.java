package io.blockferry.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.ceph.CephCluster;
import io.blockferry.ceph.CephSettings;
import io.blockferry.events.Event;
import io.blockferry.source.rbd.RbdBlockSource;
import io.blockferry.store.Database;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.TestImage;
import io.blockferry.transport.GenerationAck;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the source removes from a real RBD image on the local Ceph: an ack removes only a snapshot
 * that is Blockferry's and the one pending (finding 4), and a snapshot that cannot be removed (a
 * protected clone parent) does not keep the others (finding 22).
 */
class SnapshotCleanupTest {

    private static final SnapshotNames NAMES = new SnapshotNames("blockferry-");

    private BlockSources sources;
    private Database db;
    private VolumeStateStore states;
    private ResyncBackoff backoff;
    private final List<Event> events = new ArrayList<>();

    @BeforeEach
    void open(@TempDir Path dir) {
        LocalCeph.ensureStarted();
        sources = new BlockSources(List.of(new RbdBlockSource("rbd",
                CephCluster.connect(new CephSettings(LocalCeph.conf(), "blockferry", LocalCeph.keyring(), 15)))));
        db = Database.open(dir.resolve("source"), Database.schema(VolumeStateStore.SCHEMA, ChainHints.SCHEMA));
        states = new VolumeStateStore(db);
        backoff = new ResyncBackoff(request -> { }, Duration.ofSeconds(10), Duration.ofMinutes(1));
    }

    @AfterEach
    void close() {
        backoff.close();
        db.close();
        sources.close();
    }

    private AckHandler acks(Path dir) {
        return new AckHandler(states, new SnapshotCleaner(sources, NAMES), new SourceManifests(dir.resolve("manifests")),
                new SyncWaiters(), events::add, new ChainHints(db), backoff);
    }

    private static String own(long generation) {
        return NAMES.forGeneration(generation, Instant.parse("2026-12-01T10:00:00Z").plusSeconds(generation));
    }

    @Test
    void should_not_remove_a_user_snapshot_that_a_rejected_ack_names(@TempDir Path dir) {
        try (TestImage image = new TestImage("volumes", "it-harden-forged-ack", 4L << 20, 91)) {
            String pending = own(7);
            image.snapshot(pending);
            image.snapshot("user-snap");
            states.nextGeneration(image.volumeId());
            states.markPending(image.volumeId(), 7, pending, "id", 4L << 20, SyncOptions.DEFAULTS);
            AckHandler handler = acks(dir);

            handler.onAck(GenerationAck.rejected(image.volumeId(), 7, "user-snap", "FULL", "chunk-corrupt", "forged"));
            handler.onAck(GenerationAck.committed(image.volumeId(), 7, "user-snap", "FULL", 0));

            assertTrue(LocalCeph.snapshots("volumes", image.name).contains("user-snap"), "the user's snapshot stays");
            assertTrue(LocalCeph.snapshots("volumes", image.name).contains(pending), "and the pending one");
            VolumeState state = states.find(image.volumeId()).orElseThrow();
            assertEquals(7, state.pendingGeneration(), "neither ack was for the snapshot in flight: nothing moved");
            assertEquals(pending, state.pendingSnapshot());
            LocalCeph.rbd("snap", "rm", "volumes/" + image.name + "@user-snap");
        }
    }

    @Test
    void should_remove_the_other_own_snapshots_past_one_it_cannot_remove() {
        try (TestImage image = new TestImage("volumes", "it-harden-keep-newest", 4L << 20, 92)) {
            for (long g = 1; g <= 4; g++) {
                image.snapshot(own(g));
            }
            image.snapshot("cinder-snap");
            String spec = "volumes/" + image.name + "@" + own(1);
            LocalCeph.rbd("snap", "protect", spec); // a clone's parent: rbd_snap_remove fails with EBUSY
            try {
                new SnapshotCleaner(sources, NAMES).keepNewest(image.volumeId(), own(4), 1);

                List<String> left = LocalCeph.snapshots("volumes", image.name);
                assertTrue(left.contains(own(1)), "the protected one stays: " + left);
                assertFalse(left.contains(own(2)), "g2 is removed although g1 could not be: " + left);
                assertFalse(left.contains(own(3)), "g3 too: " + left);
                assertTrue(left.contains(own(4)), "the base stays: " + left);
                assertTrue(left.contains("cinder-snap"), "foreign snapshots are never touched: " + left);
            } finally {
                LocalCeph.rbd("snap", "unprotect", spec);
                LocalCeph.rbd("snap", "purge", "volumes/" + image.name);
            }
        }
    }
}
