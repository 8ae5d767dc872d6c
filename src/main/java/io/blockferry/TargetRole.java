package io.blockferry;

import io.blockferry.access.FileBrowser;
import io.blockferry.access.PointExports;
import io.blockferry.buffer.BufferPool;
import io.blockferry.config.Settings;
import io.blockferry.events.EventSink;
import io.blockferry.ops.ComponentHealthCheck;
import io.blockferry.ops.TargetApi;
import io.blockferry.restore.ChainPins;
import io.blockferry.restore.RestoreJobs;
import io.blockferry.restore.RestorePlanner;
import io.blockferry.restore.ServerMetadataCatalog;
import io.blockferry.security.RecordKeys;
import io.blockferry.store.Database;
import io.blockferry.target.AckOutbox;
import io.blockferry.target.ChunkWriter;
import io.blockferry.target.RecoveryPointCatalog;
import io.blockferry.target.Replicas;
import io.blockferry.target.rbd.RbdReplicas;
import io.blockferry.ops.FailoverApi;
import io.blockferry.ceph.CephCluster;
import io.blockferry.target.Repository;
import io.blockferry.target.RepositoryLock;
import io.blockferry.target.file.FileReplica;
import io.blockferry.target.Retention;
import io.blockferry.target.Scrubber;
import io.blockferry.target.SerialLanes;
import io.blockferry.transport.CamelDeadLetters;
import io.blockferry.transport.CamelSender;
import io.blockferry.transport.KafkaChunkConsumer;
import io.blockferry.transport.KafkaTuning;
import java.nio.file.Path;
import java.util.List;
import io.blockferry.target.VolumeLocks;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/**
 * The target side's beans: the repository, its catalog, the writers and the chunk consumer that
 * feeds them, the ack outbox, scrub and retention. Nothing is consumed until {@link #start}, after
 * Camel's routes run (answers, dead letters and events go through them).
 */
final class TargetRole implements AutoCloseable {

    private final Database database;
    private final RepositoryLock repositoryLock;
    ChunkWriter writer;
    Scrubber scrubber;
    Retention retention;
    private TargetApi api;
    private FailoverApi failoverApi;
    ServerMetadataCatalog metadata;
    private AckOutbox acks;
    private final RestoreJobs restoreJobs = new RestoreJobs();
    PointExports exports;
    FileBrowser files;
    private ExecutorService writerThreads;
    private KafkaChunkConsumer consumer;
    /** The DR cluster's replicas when blockferry.target.replica=rbd, else null. */
    private RbdReplicas drReplicas;
    private volatile boolean started;
    private final String installation;
    /** blockferry.target.work-sharing=kafka: the site's writers share the repository, each holding some volumes. */
    private final boolean sharing;
    private VolumeLocks volumeLocks;

    TargetRole(Settings settings, EventSink events, Supplier<CamelContext> camel, String bootstrapServers,
               RecordKeys keys) {
        // The repository's lock first: a second writer on it stops here, before it opens anything.
        Repository repository = new Repository(settings.path("blockferry.target.repository-dir"));
        Path dataDir = Path.of(settings.text("blockferry.data-dir"));
        this.installation = io.blockferry.store.InstallationId.of(dataDir);
        this.sharing = "kafka".equals(settings.text("blockferry.target.work-sharing"));
        String self = "installation " + installation + " (data dir " + dataDir.toAbsolutePath() + ")";
        this.repositoryLock = sharing ? RepositoryLock.share(repository, self) : RepositoryLock.take(repository, self);
        List<String> schema = Database.schema(RecoveryPointCatalog.SCHEMA, ServerMetadataCatalog.SCHEMA);
        try {
            // writers sharing the repository share its catalog too, next to the points it lists
            this.database = sharing ? Database.openShared(repository.root().resolve(".catalog").resolve("target"), schema)
                    : Database.open(Path.of(settings.text("blockferry.data-dir"), "state", "target"), schema);
        } catch (RuntimeException e) {
            repositoryLock.close();
            throw e;
        }
        try {
            build(settings, events, camel, bootstrapServers, keys, repository);
        } catch (RuntimeException e) {
            // a target that could not be made holds nothing: another try in this JVM may lock again
            if (drReplicas != null) {
                drReplicas.close();
            }
            database.close();
            repositoryLock.close();
            throw e;
        }
    }

    private void build(Settings settings, EventSink events, Supplier<CamelContext> camel, String bootstrapServers,
                       RecordKeys keys, Repository repository) {
        RecoveryPointCatalog catalog = new RecoveryPointCatalog(database);
        CamelSender ackSender = new CamelSender(camel, "direct:ack-publish");
        this.acks = new AckOutbox(catalog, ackSender::accept, settings.text("blockferry.site"));
        CamelSender retentionQueue = new CamelSender(camel, "seda:retention?size=1000&discardWhenFull=true");
        Replicas replicas = replicas(settings, repository);
        this.writer = new ChunkWriter(repository, catalog, replicas, settings.bytes("blockferry.target.checkpoint-bytes"),
                events, acks, volumeId -> {
                    if (started) {
                        retentionQueue.accept(volumeId);
                    }
                }, new io.blockferry.target.PointSums(repository,
                        new CamelSender(camel, "direct:chunk-sums-publish")::accept));
        this.scrubber = new Scrubber(repository, catalog, replicas, writer::lockOf, events);
        this.retention = new Retention(repository, catalog, replicas, writer::lockOf, events,
                settings.integer("blockferry.target.keep-points"));
        if (sharing) {
            volumeLocks = new VolumeLocks(repository, "installation " + installation);
            writer.shareWith(volumeLocks);
            scrubber.limitTo(writer::holds);
            retention.limitTo(writer::holds);
        }
        // what one writer opens for users (exports, browse mounts, restore links) is in a directory of
        // its own: a writer sharing the repository that starts cleans only what it left itself
        Path workRoot = sharing ? repository.root().resolve(".writers").resolve(installation) : repository.root();
        // before retention and the writer run: kills the nbdkit processes a killed Blockferry left
        this.exports = new PointExports(workRoot, catalog::committed,
                p -> repository.pointDiff(p.volumeId(), p.generation()), writer::lockOf,
                new PointExports.Config(settings.text("blockferry.access.nbd-address"),
                        settings.integer("blockferry.access.nbd-port-first"),
                        settings.integer("blockferry.access.nbd-port-last"),
                        settings.text("blockferry.access.nbdkit-command"),
                        settings.duration("blockferry.access.start-timeout")));
        // after the exports: unmounts what a killed Blockferry left of its browse sessions
        this.files = new FileBrowser(workRoot, exports, catalog::committed,
                new FileBrowser.Config(settings.duration("blockferry.access.browse-idle-timeout"),
                        settings.duration("blockferry.access.start-timeout")));
        retention.protect(exports::pinned);
        if (!sharing) {
            retention.recover(); // sharing writers: each prune settles its volume first
        }
        this.metadata = new ServerMetadataCatalog(database, catalog);
        RestorePlanner planner = new RestorePlanner(catalog::currentChain,
                p -> repository.pointDiff(p.volumeId(), p.generation()));
        var restoreRunner = RestoreSetup.lazyRunner(settings);
        this.failoverApi = new FailoverApi(catalog, metadata, planner, restoreRunner, restoreJobs, drReplicas);
        this.api = new TargetApi(catalog, metadata, planner, restoreRunner,
                new ChainPins(workRoot, catalog::currentChain,
                        p -> repository.pointDiff(p.volumeId(), p.generation()), writer::lockOf), restoreJobs, exports, files);
        AtomicInteger n = new AtomicInteger();
        this.writerThreads = Executors.newFixedThreadPool(settings.integer("blockferry.target.writer-threads"), r -> {
            Thread t = new Thread(r, "chunk-writer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        KafkaTuning tuning = KafkaTuning.from(settings);
        this.consumer = new KafkaChunkConsumer(tuning, bootstrapServers, settings.text("blockferry.kafka.target-group"),
                settings.text("blockferry.kafka.chunk-topic"), writer,
                new BufferPool(tuning.recordBytes(), settings.bytes("blockferry.target.buffer-memory")),
                new SerialLanes(writerThreads), settings.integer("blockferry.target.max-queued-records"),
                new CamelDeadLetters(camel), settings.duration("blockferry.target.revoke-wait"), keys);
        if (sharing) {
            consumer.shareRepository();
            volumeLocks.wantedWhile(consumer::assigned);
        }
    }

    /** The replicas blockferry.target.replica names: sparse files in the repository, or RBD images on the DR cluster. */
    private Replicas replicas(Settings settings, Repository repository) {
        if (!"rbd".equals(settings.text("blockferry.target.replica"))) {
            return volumeId -> new FileReplica(repository, volumeId);
        }
        CephCluster dr = CephCluster.connect(io.blockferry.ceph.CephSettings.from(settings, "blockferry.target.dr."));
        try {
            drReplicas = new RbdReplicas(dr, settings.text("blockferry.target.dr.pool"),
                    settings.pairs("blockferry.target.dr.pools"), settings.integer("blockferry.target.dr.aio-window"),
                    Math.toIntExact(Math.min(settings.bytes("blockferry.target.dr.write-size"), 64L << 20)));
        } catch (RuntimeException e) {
            dr.close();
            throw e;
        }
        return drReplicas;
    }

    void bind(Main main) {
        main.bind("chunkWriter", writer);
        main.bind("scrubber", scrubber);
        main.bind("retention", retention);
        main.bind("pointExports", exports);
        main.bind("fileBrowser", files);
        main.bind("targetApi", api);
        main.bind("failoverApi", failoverApi);
        main.bind("serverMetadataCatalog", metadata);
        main.bind("targetStateHealth", new ComponentHealthCheck("target-state-store", database::check));
    }

    /** Finishes what a stop interrupted, then starts answering and consuming. */
    void start() {
        writer.recover();
        started = true;
        acks.start();
        consumer.start();
    }

    @Override
    public void close() {
        files.close();
        exports.close();
        consumer.close();
        writerThreads.shutdown();
        try {
            writerThreads.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (volumeLocks != null) {
            volumeLocks.releaseAll();
        }
        restoreJobs.close();
        acks.close();
        if (drReplicas != null) {
            drReplicas.close();
        }
        database.close();
        repositoryLock.close();
    }
}
