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
import io.blockferry.schedule.QueueObserver;
import io.blockferry.schedule.TaskIntake;
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
    private final io.blockferry.scale.WorkSharing sharing;

    SchedulingRole(Settings settings, Database database, SourceRole source, ServerDirectory servers,
                   Consumer<String> serverQueued, EventSink events, BlockferryMetrics metrics) {
        this.metrics = metrics;
        this.registry = new PolicyRegistry(settings.path("blockferry.policies.file"), servers != ServerDirectory.NONE,
                events);
        this.sharing = source.sharing;
        TaskStore tasks = new TaskStore(database);
        QueueObserver waits = (task, waited) -> metrics.queueWait(waited);
        if (sharing != null) {
            // the task topic holds this proxy's tasks until they finish: its own store is not theirs
            tasks.clear();
        }
        this.queue = new WorkQueue(limits(settings), tasks, events, sharing == null ? waits : sharing.observer(waits),
                Clock.systemUTC(), registry::optionsOf);
        TaskIntake intake = sharing == null ? queue : sharing.intake(queue);
        this.taskApi = new TaskApi(queue, source.progress);
        PolicySelector selector = new PolicySelector(servers, (backend, pool) -> source.sources
                .of(new io.blockferry.source.VolumeId(backend, pool, "*")).volumes(pool));
        this.runner = new PolicyRunner(registry, selector, intake, new PolicyRunStore(database), events,
                Clock.systemUTC(), serverQueued, sharing == null ? () -> true : sharing.leads());
        this.submitter = new TaskSubmitter(intake, registry, settings.integer("blockferry.queue.manual-priority"),
                source.states::policyOf, sharing == null ? () -> true : sharing.leads());
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
        if (sharing == null) {
            runner.catchUp();
        } else {
            // the proxy that is given partition 0 leads the schedules, and makes up missed fires then
            sharing.start(queue, this::queueShared, new io.blockferry.transport.CamelDeadLetters(() -> camel),
                    runner::catchUp);
        }
    }

    /**
     * Queues a task record of a volume this proxy owns, with the options of its policy here (or of
     * the policy that last synced the volume), never options carried by the record.
     */
    private void queueShared(io.blockferry.scale.TaskRecord task, boolean earlier) {
        Policy owner = submitter.policyOf(task.volumeId(), task.policy());
        queue.submit(task.volumeId(), task.host(), owner == null ? null : owner.name(), task.priority(), task.full(),
                task.trigger(), owner == null ? io.blockferry.source.SyncOptions.DEFAULTS : owner.options(),
                earlier ? task.requestedAtMillis() : null);
    }

    /** Stops starting tasks and stops waiting for acks, before Camel stops. */
    @Override
    public void close() {
        queue.close();
        taskRunner.close();
        if (sharing != null) {
            // leaves the proxy group now, while Camel still runs the syncs it hands over
            sharing.leave();
        }
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
