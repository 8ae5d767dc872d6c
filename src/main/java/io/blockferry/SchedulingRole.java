package io.blockferry;

import io.blockferry.config.ConfigurationException;
import io.blockferry.config.Settings;
import io.blockferry.events.EventSink;
import io.blockferry.ops.BlockferryMetrics;
import io.blockferry.ops.PolicyApi;
import io.blockferry.ops.RpoCheck;
import io.blockferry.ops.RpoStore;
import io.blockferry.ops.RpoWatch;
import io.blockferry.ops.ServerApi;
import io.blockferry.ops.TaskApi;
import io.blockferry.schedule.Policy;
import io.blockferry.schedule.PolicyFileException;
import io.blockferry.schedule.PolicyRegistry;
import io.blockferry.schedule.PolicyRoutes;
import io.blockferry.schedule.PolicyRunStore;
import io.blockferry.schedule.PolicyRunner;
import io.blockferry.schedule.PolicySelector;
import io.blockferry.schedule.QueueLimits;
import io.blockferry.schedule.ServerDirectory;
import io.blockferry.schedule.TaskRunner;
import io.blockferry.schedule.TaskStore;
import io.blockferry.schedule.TaskSubmitter;
import io.blockferry.schedule.WorkQueue;
import io.blockferry.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The source's schedules and work queue: policies, their Quartz routes, the queue and its caps. */
final class SchedulingRole implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SchedulingRole.class);

    static final List<String> SCHEMA = Stream.of(TaskStore.SCHEMA, PolicyRunStore.SCHEMA, RpoStore.SCHEMA)
            .flatMap(List::stream).toList();

    private final PolicyRegistry registry;
    private final WorkQueue queue;
    private final PolicyRunner runner;
    private final TaskSubmitter submitter;
    private final TaskRunner taskRunner;
    private final BlockferryMetrics metrics;
    private final TaskApi taskApi;
    private final RpoCheck rpoCheck;
    private final ServerApi serverApi;

    SchedulingRole(Settings settings, Database database, SourceRole source, ServerDirectory servers,
                   Consumer<String> serverQueued, EventSink events, BlockferryMetrics metrics) {
        this.metrics = metrics;
        this.registry = new PolicyRegistry(settings.path("blockferry.policies.file"), servers != ServerDirectory.NONE,
                events);
        this.queue = new WorkQueue(limits(settings), new TaskStore(database), events,
                (task, waited) -> metrics.queueWait(waited), Clock.systemUTC(), registry::optionsOf);
        this.taskApi = new TaskApi(queue, source.progress);
        PolicySelector selector = new PolicySelector(servers, (backend, pool) -> source.sources
                .of(new io.blockferry.source.VolumeId(backend, pool, "*")).volumes(pool));
        this.runner = new PolicyRunner(registry, selector, queue, new PolicyRunStore(database), events,
                Clock.systemUTC(), serverQueued);
        this.submitter = new TaskSubmitter(queue, registry, settings.integer("blockferry.queue.manual-priority"),
                source.states::policyOf);
        this.rpoCheck = new RpoCheck(source.states, name -> registry.find(name).map(Policy::rpo),
                new RpoWatch(new RpoStore(database), events, Clock.systemUTC()), metrics);
        this.serverApi = new ServerApi(servers);
        this.taskRunner = new TaskRunner(Duration.ofSeconds(settings.integer("blockferry.source.ack-timeout-seconds")),
                source.planner::resume);
        try {
            registry.load();
        } catch (PolicyFileException e) {
            throw new ConfigurationException(e.getMessage() + " (fix the policy file, or point "
                    + "blockferry.policies.file elsewhere)");
        }
    }

    private static QueueLimits limits(Settings settings) {
        Map<String, Integer> pools = io.blockferry.config.PoolLimitsSyntax.parse(
                settings.text("blockferry.queue.pool-limits", ""), LOG::warn);
        try {
            return new QueueLimits(settings.integer("blockferry.queue.max-hosts"),
                    settings.integer("blockferry.queue.max-disks"), settings.integer("blockferry.queue.max-disks-per-pool"),
                    pools, settings.duration("blockferry.queue.max-wait"), SourceBackends.diskCaps(settings));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("blockferry.queue.*: " + e.getMessage());
        }
    }

    void bind(Main main) {
        main.bind("policyRegistry", registry);
        main.bind("workQueue", queue);
        main.bind("policyRunner", runner);
        main.bind("taskSubmitter", submitter);
        main.bind("taskRunner", taskRunner);
        main.bind("policyApi", new PolicyApi(registry, runner));
        main.bind("taskApi", taskApi);
        main.bind("rpoCheck", rpoCheck);
        main.bind("serverApi", serverApi);
    }

    /** Once Camel runs: schedules the policies (and every reload), and makes up fires missed while down. */
    void start(CamelContext camel) {
        PolicyRoutes routes = new PolicyRoutes(camel);
        registry.onChange(routes::apply);
        routes.apply(registry.all());
        metrics.watchQueue(queue::depth, () -> queue.running().size());
        runner.catchUp();
    }

    /** Stops starting tasks and stops waiting for acks, before Camel stops. */
    @Override
    public void close() {
        queue.close();
        taskRunner.close();
    }

    PolicyRegistry registry() {
        return registry;
    }

    TaskSubmitter submitter() {
        return submitter;
    }

    RpoCheck rpoCheck() {
        return rpoCheck;
    }

    WorkQueue queue() {
        return queue;
    }
}
