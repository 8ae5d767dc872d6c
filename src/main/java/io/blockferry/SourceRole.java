package io.blockferry;

import io.blockferry.config.ConfigurationException;
import io.blockferry.config.Settings;
import io.blockferry.events.EventSink;
import io.blockferry.ops.ComponentHealthCheck;
import io.blockferry.ops.SourceApi;
import io.blockferry.ops.ProgressLog;
import io.blockferry.source.DiffVerifier;
import io.blockferry.source.SyncProgress;
import io.blockferry.source.Throttle;
import io.blockferry.source.FullGenerationRequests;
import io.blockferry.source.ResyncRequests;
import io.blockferry.source.ResyncTrigger;
import io.blockferry.source.SourceManifests;
import io.blockferry.source.SyncFailures;
import java.security.SecureRandom;
import io.blockferry.source.AckHandler;
import io.blockferry.source.BlockSources;
import io.blockferry.source.GenerationPlanner;
import io.blockferry.source.SnapshotCleaner;
import io.blockferry.source.HookedSnapshot;
import io.blockferry.source.SnapshotHooks;
import io.blockferry.source.SnapshotNames;
import io.blockferry.source.SourceSettings;
import io.blockferry.source.StaticVolumes;
import io.blockferry.source.SyncWaiters;
import io.blockferry.source.VolumeStateStore;
import io.blockferry.security.RecordKeys;
import io.blockferry.store.Database;
import io.blockferry.buffer.BufferPool;
import io.blockferry.source.ChunkStream;
import io.blockferry.source.ResyncBackoff;
import io.blockferry.transport.KafkaChunkPublisher;
import io.blockferry.transport.KafkaOffsetCommitter;
import io.blockferry.transport.KafkaTuning;
import io.blockferry.inventory.InventoryService;
import io.blockferry.inventory.InventoryStore;
import io.blockferry.source.ChainHints;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.camel.main.Main;

/** The source side's beans: Ceph, the volume state, the planner and the ack handler. */
final class SourceRole implements AutoCloseable {

    final BlockSources sources;
    final Database database;
    private final ExecutorService readers;
    private final StaticVolumes staticVolumes;
    private final AckHandler acks;
    private final SyncFailures failures;
    private final ResyncRequests resyncRequests;
    private final FullGenerationRequests fullGenerationRequests;
    private final SourceApi api;
    private final EventSink events;
    private final ResyncBackoff backoff;
    private final KafkaChunkPublisher publisher;
    final SourceManifests manifests;
    final SyncProgress progress = new SyncProgress();
    final SyncWaiters waiters;
    final GenerationPlanner planner;
    final VolumeStateStore states;
    final InventoryService inventory;
    private final String site;
    final io.blockferry.inventory.hcs.HcsInventories hcsInventories;
    final ChainHints hints;
    final io.blockferry.source.TargetChunkSums targetSums;

    private final io.blockferry.config.ChildEnvironment hookEnvironment;
    /** The site's work shared with its other proxies, or null when this proxy works alone. */
    final io.blockferry.scale.WorkSharing sharing;

    SourceRole(Settings settings, BlockSources sources, EventSink events, ResyncTrigger resync, String bootstrapServers,
               RecordKeys keys) {
        this.hookEnvironment = io.blockferry.config.ChildEnvironment.from(settings);
        SourceSettings source = new SourceSettings((int) settings.bytes("blockferry.source.chunk-size"),
                settings.integer("blockferry.source.read-ahead"), settings.text("blockferry.source.snapshot-prefix"),
                settings.integer("blockferry.source.ack-timeout-seconds") * 1000L,
                settings.integer("blockferry.source.snapshot-limit"), resyncMode(settings));
        this.events = events;
        this.sources = sources;
        this.database = Database.open(Path.of(settings.text("blockferry.data-dir"), "state", "source"),
                Database.schema(VolumeStateStore.SCHEMA, ChainHints.SCHEMA, InventoryStore.SCHEMA,
                        SchedulingRole.SCHEMA, io.blockferry.source.TargetChunkSums.SCHEMA,
                        io.blockferry.scale.WorkSharing.schema()));
        this.states = new VolumeStateStore(database);
        this.hints = new ChainHints(database);
        AtomicInteger n = new AtomicInteger();
        this.readers = Executors.newFixedThreadPool(settings.integer("blockferry.source.read-threads"), r -> {
            Thread t = new Thread(r, "rbd-reader-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.waiters = new SyncWaiters();
        SnapshotNames names = new SnapshotNames(source.snapshotPrefix());
        this.manifests = new SourceManifests(Path.of(settings.text("blockferry.data-dir"), "state", "manifests"));
        DiffVerifier verifier = new DiffVerifier(Double.parseDouble(settings.text("blockferry.source.verify-sample-rate")),
                settings.integer("blockferry.source.verify-sample-minimum"), new SecureRandom());
        Throttle throttle = new Throttle(settings.bytes("blockferry.source.bandwidth-limit"),
                settings.integer("blockferry.source.release-cpu-time"));
        BufferPool buffers = new BufferPool(source.chunkSize(), settings.bytes("blockferry.source.buffer-memory"));
        ChunkStream.Reading reading = new ChunkStream.Reading(buffers, readers, settings.integer("blockferry.source.read-ahead"),
                (int) settings.bytes("blockferry.kafka.record-size"), (int) settings.bytes("blockferry.source.zero-granularity"),
                (int) settings.bytes("blockferry.source.min-zero-run"));
        Path spill = Path.of(settings.text("blockferry.data-dir"), "state", "extents");
        this.site = settings.text("blockferry.site");
        this.targetSums = new io.blockferry.source.TargetChunkSums(database, new io.blockferry.source.SourceSite(site),
                spill);
        this.planner = new GenerationPlanner(sources, states, source, manifests, verifier, waiters, events, reading,
                throttle, progress, hints, spill, targetSums);
        this.backoff = new ResyncBackoff(resync, settings.duration("blockferry.source.resync-backoff"),
                settings.duration("blockferry.source.resync-backoff-max"));
        this.acks = new AckHandler(states, new SnapshotCleaner(sources, names), manifests, waiters, events, hints, backoff);
        this.publisher = new KafkaChunkPublisher(KafkaTuning.from(settings), bootstrapServers,
                settings.text("blockferry.kafka.chunk-topic"), keys, site);
        this.sharing = sharesWork(settings) ? new io.blockferry.scale.WorkSharing(
                new io.blockferry.scale.WorkSharing.Topics(bootstrapServers, settings.text("blockferry.kafka.task-topic"),
                        settings.text("blockferry.kafka.source-state-topic"), proxyGroup(settings)),
                KafkaTuning.from(settings), new io.blockferry.security.JsonRecordAuth(keys), database, states, acks,
                waiters, settings.duration("blockferry.source.handover-timeout")) : null;
        if (sharing != null) {
            publisher.fence(sharing.lost());
        }
        this.inventory = InventorySetup.create(settings, new InventoryStore(database), hints, events);
        this.hcsInventories = InventorySetup.hcs(settings, sources, database, hints, events);
        this.failures = new SyncFailures(planner, events, backoff, source.autoResync());
        this.resyncRequests = new ResyncRequests(states, backoff);
        this.fullGenerationRequests = new FullGenerationRequests(states, resync, events,
                settings.duration("blockferry.source.request-max-age"), java.time.Clock.systemUTC(), site);
        this.api = new SourceApi(states, resync);
        this.staticVolumes = new StaticVolumes(Preflight.staticVolumes(settings));
    }

    /** Whether this proxy is one of several of its site, sharing the work through Kafka. */
    static boolean sharesWork(Settings settings) {
        return "kafka".equals(settings.text("blockferry.source.work-sharing", "none"));
    }

    /** The site's proxy group on the task topic: configured, or blockferry-proxies-SITE. */
    static String proxyGroup(Settings settings) {
        String group = settings.text("blockferry.kafka.proxy-group", "");
        return group.isBlank() ? "blockferry-proxies-" + settings.text("blockferry.site") : group;
    }

    private static io.blockferry.source.ResyncMode resyncMode(Settings settings) {
        try {
            return io.blockferry.source.ResyncMode.of(settings.text("blockferry.source.chain-break-resync"));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage());
        }
    }

    /**
     * Lets each backend remove what an earlier run left behind, once the event route is up, and
     * publishes what was removed. A backend that cannot be cleaned now never stops the start.
     */
    void removeLeftovers() {
        for (io.blockferry.source.BlockSource backend : sources.all()) {
            try {
                java.util.List<String> removed = backend.removeLeftovers();
                if (!removed.isEmpty()) {
                    events.publish(io.blockferry.events.Event.of(io.blockferry.events.EventTypes.LEFTOVERS_REMOVED,
                            null, io.blockferry.events.Causes.TEMPORARY_DISK_LEFT.wire(),
                            io.blockferry.events.Event.WARN, "backend " + backend.name() + " found what an earlier run "
                                    + "left: " + String.join("; ", removed), java.util.Map.of("found", (long) removed.size())));
                }
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(SourceRole.class).warn("Backend {}: the clean-up of an earlier "
                        + "run's leftovers failed ({}); it is tried again at the next start", backend.name(),
                        e.getMessage());
            }
        }
    }

    /** The cloud inventories that are on: OpenStack's, then each HCS backend's. */
    java.util.List<InventoryService> clouds() {
        java.util.List<InventoryService> clouds = new java.util.ArrayList<>();
        if (inventory.status().enabled()) {
            clouds.add(inventory);
        }
        hcsInventories.all().forEach(h -> clouds.add(h.service()));
        return clouds.isEmpty() ? java.util.List.of(inventory) : clouds;
    }

    /** The default RBD backend's cluster (tools and the demo create images through it), or null. */
    io.blockferry.ceph.CephCluster ceph() {
        return sources.byName(io.blockferry.source.VolumeId.DEFAULT_SCHEME) instanceof
                io.blockferry.source.rbd.RbdBlockSource rbd ? rbd.cluster() : null;
    }

    void bind(Main main) {
        main.bind("generationPlanner", planner);
        main.bind("volumeStates", states);
        main.bind("syncWaiters", waiters);
        main.bind("sourceManifests", manifests);
        main.bind("chainHints", hints);
        main.bind("blockSources", sources);
        // when the site's proxies share the work, an ack is acted on by the proxy that owns its volume
        main.bind("ackHandler", sharing == null ? acks : sharing.acks());
        main.bind("targetChunkSums", targetSums);
        main.bind("sourceSite", new io.blockferry.source.SourceSite(site));
        main.bind("syncFailures", failures);
        main.bind("resyncRequests", resyncRequests);
        main.bind("fullGenerationRequests", fullGenerationRequests);
        main.bind("staticVolumes", staticVolumes);
        main.bind("chunkPublisher", publisher);
        main.bind("offsetCommitter", new KafkaOffsetCommitter());
        main.bind("hookedSnapshot", new HookedSnapshot(new SnapshotHooks(events, hookEnvironment), planner));
        main.bind("sourceApi", api);
        main.bind("syncProgress", progress);
        main.bind("progressLog", new ProgressLog(progress));
        for (var backend : sources.all()) {
            // the default backend keeps the check's old name, "ceph"
            boolean standard = backend.name().equals(io.blockferry.source.VolumeId.DEFAULT_SCHEME);
            main.bind(standard ? "cephHealth" : backend.name() + "SourceHealth",
                    new ComponentHealthCheck(standard ? "ceph" : "source-" + backend.name(), backend::ping));
        }
        main.bind("inventory", inventory);
        main.bind("hcsInventories", hcsInventories);
        for (var hcs : hcsInventories.all()) {
            if (hcs.trustManager() != null) {
                main.bind(hcs.tlsBean(), io.blockferry.transport.CamelHttpTls.trusting(hcs.trustManager()));
            }
        }
        main.bind("serverMetadata", new io.blockferry.inventory.ServerMetadataSources(clouds()));
        main.bind("sourceStateHealth", new ComponentHealthCheck("source-state-store", database::check));
    }

    @Override
    public void close() {
        if (sharing != null) {
            sharing.close();
        }
        backoff.close();
        publisher.close();
        readers.shutdownNow();
        database.close();
        // the sources are the runtime's: connected before Kafka, closed after this role
    }
}
