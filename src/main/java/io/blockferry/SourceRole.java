package io.blockferry;

import io.blockferry.config.Settings;
import io.blockferry.source.AckHandler;
import io.blockferry.source.CephCluster;
import io.blockferry.source.CephSettings;
import io.blockferry.source.GenerationPlanner;
import io.blockferry.source.SnapshotCleaner;
import io.blockferry.source.SnapshotNames;
import io.blockferry.source.SourceSettings;
import io.blockferry.source.StaticVolumes;
import io.blockferry.source.SyncWaiters;
import io.blockferry.source.VolumeStateStore;
import io.blockferry.store.Database;
import io.blockferry.transport.ChunkMessages;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.main.Main;

/** The source side's beans: Ceph, the volume state, the planner and the ack handler. */
final class SourceRole implements AutoCloseable {

    private final CephCluster ceph;
    private final Database database;
    private final ExecutorService readers;
    private final StaticVolumes staticVolumes;
    private final AckHandler acks;
    final GenerationPlanner planner;
    final VolumeStateStore states;

    SourceRole(Settings settings) {
        SourceSettings source = new SourceSettings((int) settings.bytes("blockferry.source.chunk-size"),
                settings.integer("blockferry.source.read-ahead"), settings.text("blockferry.source.snapshot-prefix"),
                settings.integer("blockferry.source.ack-timeout-seconds") * 1000L);
        this.ceph = CephCluster.connect(new CephSettings(settings.path("blockferry.ceph.conf"),
                settings.text("blockferry.ceph.id"), settings.find("blockferry.ceph.keyring").map(Path::of).orElse(null),
                settings.integer("blockferry.ceph.timeout-seconds")));
        this.database = Database.open(Path.of(settings.text("blockferry.data-dir"), "state", "source"),
                VolumeStateStore.SCHEMA);
        this.states = new VolumeStateStore(database);
        AtomicInteger n = new AtomicInteger();
        this.readers = Executors.newFixedThreadPool(settings.integer("blockferry.source.read-threads"), r -> {
            Thread t = new Thread(r, "rbd-reader-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        SyncWaiters waiters = new SyncWaiters();
        SnapshotNames names = new SnapshotNames(source.snapshotPrefix());
        this.planner = new GenerationPlanner(ceph, states, source, waiters, readers);
        AckHandler acks = new AckHandler(states, new SnapshotCleaner(ceph, names), waiters);
        this.staticVolumes = new StaticVolumes(settings.text("blockferry.source.volumes", ""));
        this.acks = acks;
    }

    CephCluster ceph() {
        return ceph;
    }

    void bind(Main main) {
        main.bind("generationPlanner", planner);
        main.bind("ackHandler", acks);
        main.bind("staticVolumes", staticVolumes);
        main.bind("chunkMessages", new ChunkMessages());
    }

    @Override
    public void close() {
        readers.shutdownNow();
        database.close();
        ceph.close();
    }
}
