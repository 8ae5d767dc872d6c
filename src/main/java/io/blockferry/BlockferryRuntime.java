package io.blockferry;

import io.blockferry.config.Settings;
import io.blockferry.inventory.InventoryServers;
import io.blockferry.inventory.InventoryService;
import io.blockferry.transport.CamelSender;
import io.blockferry.inventory.ServerMetadata;
import io.blockferry.restore.ServerMetadataCatalog;
import io.blockferry.source.ChainHints;
import io.blockferry.source.CephCluster;
import io.blockferry.source.GenerationPlanner;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SourceManifests;
import io.blockferry.source.SyncProgress;
import io.blockferry.source.SyncRequest;
import io.blockferry.events.DeadLetters;
import io.blockferry.ops.ApiAccess;
import io.blockferry.ops.BlockferryMetrics;
import io.blockferry.ops.RecentEvents;
import io.blockferry.ops.StatusAssets;
import io.blockferry.ops.StatusHistory;
import io.blockferry.ops.StatusReadings;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import io.blockferry.schedule.PolicyRegistry;
import io.blockferry.schedule.ServerDirectory;
import io.blockferry.schedule.SyncTask;
import io.blockferry.schedule.WorkQueue;
import java.nio.file.Path;
import io.blockferry.events.EventSink;
import io.blockferry.target.ChunkWriter;
import io.blockferry.target.Retention;
import io.blockferry.target.Scrubber;
import io.blockferry.security.JsonRecordAuth;
import io.blockferry.security.RecordKeys;
import io.blockferry.transport.CamelDeadLetters;
import io.blockferry.transport.CamelEventSink;
import io.blockferry.transport.CamelRecordAuth;
import io.blockferry.transport.GenerationAck;
import io.blockferry.transport.KafkaTuning;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Blockferry: Kafka (embedded or external), the roles' beans, and Camel Main with the
 * routes of those roles. Used by {@code blockferry run}, the demo and the integration tests.
 */
public final class BlockferryRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BlockferryRuntime.class);

    private final List<AutoCloseable> resources;
    private final Main main;
    private final SourceRole source;
    private final TargetRole target;
    private final SchedulingRole scheduling;
    private final String bootstrapServers;
    private final ProducerTemplate producer;

    private BlockferryRuntime(List<AutoCloseable> resources, Main main, SourceRole source, TargetRole target,
                              SchedulingRole scheduling, String bootstrapServers) {
        this.scheduling = scheduling;
        this.resources = resources;
        this.main = main;
        this.source = source;
        this.target = target;
        this.bootstrapServers = bootstrapServers;
        this.producer = main.getCamelContext().createProducerTemplate();
    }

    public static BlockferryRuntime start(Settings settings) {
        Roles roles = Roles.parse(settings.text("blockferry.roles"));
        int maxMessageBytes = KafkaTuning.from(settings).maxMessageBytes();
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            RecordKeys keys = RecordKeys.from(settings);
            KafkaSetup kafka = KafkaSetup.start(settings, maxMessageBytes);
            resources.add(kafka);
            Main main = new Main();
            EventSink events = new CamelEventSink(main::getCamelContext);
            SourceRole source = roles.source()
                    ? add(resources, new SourceRole(settings, events,
                            new CamelSender(main::getCamelContext, "seda:resync")::accept, kafka.bootstrapServers(),
                            keys))
                    : null;
            TargetRole target = roles.target()
                    ? add(resources, new TargetRole(settings, events, main::getCamelContext, kafka.bootstrapServers(),
                            keys))
                    : null;
            settings.with("blockferry.kafka.bootstrap-servers", kafka.bootstrapServers())
                    .with("blockferry.kafka.max-message-bytes", Integer.toString(maxMessageBytes))
                    .overridesForCamel().forEach(main::addOverrideProperty);
            boolean api = Boolean.parseBoolean(settings.text("camel.server.enabled", "false"));
            main.configure().withRoutesIncludePattern(roles.routesIncludePattern(api));
            main.bind("deadLetters", new DeadLetters(events));
            main.bind("recordAuth", new CamelRecordAuth(new JsonRecordAuth(keys),
                    new CamelDeadLetters(main::getCamelContext)));
            main.bind("apiAccess", ApiAccess.of(settings.text("blockferry.api.token", ""),
                    Path.of(settings.text("blockferry.data-dir"), "api-token")));
            BlockferryMetrics metrics = new BlockferryMetrics(
                    () -> main.getCamelContext().getRegistry().findSingleByType(MeterRegistry.class),
                    source == null ? null : source.states);
            main.bind("metrics", metrics);
            boolean openstack = source != null && source.inventory.status().enabled();
            SchedulingRole scheduling = source == null ? null : new SchedulingRole(settings, source.database, source,
                    openstack ? new InventoryServers(source.inventory) : ServerDirectory.NONE,
                    openstack ? new CamelSender(main::getCamelContext, "direct:server-metadata-one")::accept : id -> { },
                    events, metrics);
            if (source != null) {
                source.bind(main);
                scheduling.bind(main);
            }
            main.bind("recentEvents", new RecentEvents(settings.integer("blockferry.status.recent-events")));
            main.bind("statusAssets", new StatusAssets());
            main.bind("statusHistory", new StatusHistory(new StatusReadings(metrics, source == null ? null
                    : source.progress, source == null ? null : source.states, source == null ? null
                    : scheduling.rpoCheck(), source == null ? null : scheduling.queue()), Clock.systemUTC(),
                    settings.duration("blockferry.status.history-interval"),
                    settings.duration("blockferry.status.history-span")));
            if (target != null) {
                target.bind(main);
            }
            main.start();
            resources.add(0, main::stop);
            metrics.declareEvents(BlockferryMetrics.ALERTED_EVENTS);
            if (target != null) {
                target.start();
            }
            if (scheduling != null) {
                resources.add(0, scheduling);
                scheduling.start(main.getCamelContext());
            }
            LOG.info("Blockferry started: roles {}, Kafka at {}", roles, kafka.bootstrapServers());
            return new BlockferryRuntime(resources, main, source, target, scheduling, kafka.bootstrapServers());
        } catch (RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    private static <T extends AutoCloseable> T add(List<AutoCloseable> resources, T resource) {
        resources.add(0, resource);
        return resource;
    }

    /** Runs one volume's sync through the volume-sync route; returns once every record is in Kafka. */
    public GenerationReport sync(SyncRequest request) {
        try {
            return producer.requestBody("direct:volume-sync", request, GenerationReport.class);
        } catch (CamelExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Queues a sync in the work queue, as the REST API and resyncs do (source role only). */
    public SyncTask submit(SyncRequest request) {
        return scheduling.submitter().submit(request);
    }

    /** The policies in force (source role only). */
    public PolicyRegistry policies() {
        return scheduling.registry();
    }

    /** The source's running syncs and how far each has got (source role only; read it, never change it). */
    public SyncProgress progress() {
        return source.progress;
    }

    /** The source's work queue (source role only). */
    public WorkQueue queue() {
        return scheduling.queue();
    }

    /** The source's planner (source role only): tests drive generations through it directly. */
    public GenerationPlanner planner() {
        return source.planner;
    }

    /** Completes with the target's ack of a volume's generation, when it reaches the source (source role only). */
    public CompletableFuture<GenerationAck> ackOf(String volumeId, long generation) {
        return source.waiters.register(volumeId, generation);
    }

    /** What the source remembers of a volume (source role only). */
    public java.util.Optional<io.blockferry.source.VolumeState> volumeState(String volumeId) {
        return source.states.find(volumeId);
    }

    /** The source's record of what each generation sent (source role only). */
    public SourceManifests sourceManifests() {
        return source.manifests;
    }

    /** The source's OpenStack inventory (source role only; disabled unless blockferry.openstack.enabled). */
    public InventoryService inventory() {
        return source.inventory;
    }

    /** The source's chain-break hints (source role only). */
    public ChainHints chainHints() {
        return source.hints;
    }

    /** The target's store of servers' restore metadata (target role only). */
    public ServerMetadataCatalog serverMetadata() {
        return target.metadata;
    }

    /** Publishes a server's restore metadata through the server-metadata route and returns it. */
    public ServerMetadata publishMetadata(String serverId) {
        try {
            return producer.requestBody("direct:server-metadata", serverId, ServerMetadata.class);
        } catch (CamelExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** The target's scrubber (target role only). */
    public Scrubber scrubber() {
        return target.scrubber;
    }

    /** The target's retention (target role only). */
    public Retention retention() {
        return target.retention;
    }

    public CamelContext camelContext() {
        return main.getCamelContext();
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The source's Ceph connection (source role only). */
    public CephCluster ceph() {
        return source.ceph();
    }

    public ChunkWriter writer() {
        return target.writer;
    }

    /** Blocks until the process is asked to stop (Ctrl-C or SIGTERM). */
    public void awaitShutdown() throws InterruptedException {
        Thread hook = new Thread(this::close, "blockferry-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        synchronized (this) {
            while (main.getCamelContext().isStarted()) {
                wait(1000);
            }
        }
    }

    @Override
    public synchronized void close() {
        closeAll(resources);
        resources.clear();
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("Error while stopping: {}", e.getMessage());
            }
        }
    }
}
