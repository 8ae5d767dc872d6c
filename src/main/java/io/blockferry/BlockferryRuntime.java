package io.blockferry;

import io.blockferry.config.Settings;
import io.blockferry.inventory.InventoryServers;
import io.blockferry.inventory.InventoryService;
import io.blockferry.transport.CamelSender;
import io.blockferry.inventory.ServerMetadata;
import io.blockferry.restore.ServerMetadataCatalog;
import io.blockferry.source.ChainHints;
import io.blockferry.ceph.CephCluster;
import io.blockferry.source.GenerationPlanner;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SourceManifests;
import io.blockferry.source.SyncProgress;
import io.blockferry.source.SyncRequest;
import io.blockferry.events.DeadLetters;
import io.blockferry.ops.ApiAccess;
import io.blockferry.ops.JolokiaAccess;
import io.blockferry.ops.BlockferryMetrics;
import io.blockferry.ops.RecentEvents;
import io.blockferry.ops.StatusAssets;
import io.blockferry.ops.StatusHistory;
import io.blockferry.ops.StatusReadings;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import io.blockferry.schedule.PolicyRegistry;
import io.blockferry.store.OwnerOnly;
import io.blockferry.schedule.ServerDirectory;
import io.blockferry.schedule.SyncTask;
import io.blockferry.schedule.WorkQueue;
import java.nio.file.Path;
import io.blockferry.events.EventSink;
import io.blockferry.source.BlockSources;
import io.blockferry.store.InstallationId;
import io.blockferry.target.ChunkWriter;
import io.blockferry.target.Retention;
import io.blockferry.target.Scrubber;
import io.blockferry.security.JsonRecordAuth;
import io.blockferry.security.RecordKeys;
import io.blockferry.transport.CamelDeadLetters;
import io.blockferry.transport.CamelEventSink;
import io.blockferry.transport.CamelRecordAuth;
import io.blockferry.transport.GenerationAck;
import io.blockferry.transport.CamelKafka;
import io.blockferry.transport.KafkaClientConfig;
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

    /**
     * Starts in the order that fails cheapest first: the whole configuration is checked, then the
     * record keys read and the sources connected (a wrong keyring or an unknown pool stops here),
     * and only then Kafka, the roles and Camel.
     */
    public static BlockferryRuntime start(Settings settings) {
        Preflight.checkConfiguration(settings);
        Roles roles = Roles.parse(settings.text("blockferry.roles"));
        if (roles.source() && SourceRole.sharesWork(settings) && settings.text("blockferry.site", "").isBlank()) {
            throw new io.blockferry.config.ConfigurationException("blockferry.source.work-sharing=kafka: set "
                    + "blockferry.site to the site's name, the same on every proxy of the site (each proxy would "
                    + "otherwise be a site of its own, and the target's acks of one would not reach the others)");
        }
        ownerOnly(settings, roles);
        settings = withInstallationDefaults(settings);
        int maxMessageBytes = KafkaTuning.from(settings).maxMessageBytes();
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            RecordKeys keys = RecordKeys.from(settings);
            BlockSources sources = roles.source() ? add(resources, SourceBackends.connect(settings)) : null;
            if (sources != null) {
                Preflight.checkVolumes(settings, sources);
            }
            KafkaSetup kafka = KafkaSetup.start(settings, maxMessageBytes);
            resources.add(kafka);
            Main main = new Main();
            EventSink events = new CamelEventSink(main::getCamelContext);
            SourceRole source = roles.source()
                    ? add(resources, new SourceRole(settings, sources, events,
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
            // Camel's Kafka endpoints get the same client security settings as Blockferry's own clients.
            main.bind("kafka", CamelKafka.component(KafkaClientConfig.from(settings)));
            main.bind("deadLetters", new DeadLetters(events));
            main.bind("recordAuth", new CamelRecordAuth(new JsonRecordAuth(keys),
                    new CamelDeadLetters(main::getCamelContext)));
            ApiAccess apiAccess = ApiAccess.of(settings.text("blockferry.api.token", ""),
                    Path.of(settings.text("blockferry.data-dir"), "api-token"));
            main.bind("apiAccess", apiAccess);
            JolokiaAccess.camelProperties(settings, apiAccess).forEach(main::addOverrideProperty);
            main.bind("jolokia", new io.blockferry.ops.WebOriginGuard());
            BlockferryMetrics metrics = new BlockferryMetrics(
                    () -> main.getCamelContext().getRegistry().findSingleByType(MeterRegistry.class),
                    source == null ? null : source.states);
            main.bind("metrics", metrics);
            // Servers come from OpenStack's inventory and from each HCS backend's: policies select them alike.
            boolean clouds = source != null && (source.inventory.status().enabled()
                    || !source.hcsInventories.all().isEmpty());
            SchedulingRole scheduling = source == null ? null : new SchedulingRole(settings, source.database, source,
                    clouds ? InventoryServers.of(source.clouds()) : ServerDirectory.NONE,
                    clouds ? new CamelSender(main::getCamelContext, "direct:server-metadata-one")::accept : id -> { },
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
            if (source != null) {
                source.removeLeftovers();
            }
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

    /**
     * The data directory (state stores, token, embedded Kafka, manifests) and the repository are the
     * owner's only: made 0700, and tightened at start, with a warning, when an older release or
     * another umask left them open to other users.
     */
    private static void ownerOnly(Settings settings, Roles roles) {
        List<Path> trees = new ArrayList<>(List.of(Path.of(settings.text("blockferry.data-dir"))));
        if (roles.target()) {
            trees.add(settings.path("blockferry.target.repository-dir"));
        }
        for (Path tree : trees) {
            OwnerOnly.ensureDirectories(tree);
            OwnerOnly.tighten(tree);
        }
    }

    /**
     * The defaults that come from this data directory's installation id (read once):
     * {@code blockferry.site}, and the source's consumer groups (acks, events, requests), which are
     * its own unless configured. Two source installations on one Kafka with the default
     * configuration would otherwise split the acks topic's partitions and drop each other's acks
     * (finding 15); each reads every ack and acts only on those addressed to its site.
     */
    static Settings withInstallationDefaults(Settings settings) {
        boolean site = !settings.text("blockferry.site", "").isBlank();
        boolean group = settings.find("blockferry.kafka.source-group").isPresent();
        if (site && group) {
            return settings;
        }
        String id = InstallationId.of(Path.of(settings.text("blockferry.data-dir")));
        Settings out = site ? settings : settings.with("blockferry.site", id);
        return group ? out : out.with("blockferry.kafka.source-group", "blockferry-source-" + id);
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

    /** The source's running syncs and how far each has got (source role only; read it, never change it). */
    public SyncProgress progress() {
        return source.progress;
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
        return target == null ? null : target.writer;
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
