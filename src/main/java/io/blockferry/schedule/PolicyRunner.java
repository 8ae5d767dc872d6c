package io.blockferry.schedule;

import io.blockferry.events.Causes;
import io.blockferry.events.Event;
import io.blockferry.events.EventSink;
import io.blockferry.events.EventTypes;
import io.blockferry.schedule.PolicySelector.Conflict;
import io.blockferry.schedule.PolicySelector.Selected;
import io.blockferry.schedule.PolicySelector.Target;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a policy: selects its disks and queues one task per disk. A fire while the policy's
 * previous run still has tasks queued or running is skipped with a policy-skipped event, so a
 * slow run is never doubled. Fires missed while the proxy was down are made up once at start.
 */
public final class PolicyRunner {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyRunner.class);

    /** What one run of a policy did; {@code skipped} says why nothing was queued, or is null. */
    public record RunSummary(String policy, long run, boolean full, int queued, List<Conflict> conflicts,
                             String skipped) {
    }

    private final PolicyRegistry registry;
    private final PolicySelector selector;
    private final TaskIntake queue;
    private final PolicyRunStore runs;
    private final EventSink events;
    private final Clock clock;
    private final Consumer<String> serverQueued;
    private final java.util.function.BooleanSupplier leads;

    /** @param serverQueued told the id of each server whose disks a run queued (its metadata is exported) */
    public PolicyRunner(PolicyRegistry registry, PolicySelector selector, TaskIntake queue, PolicyRunStore runs,
                        EventSink events, Clock clock, Consumer<String> serverQueued) {
        this(registry, selector, queue, runs, events, clock, serverQueued, () -> true);
    }

    /**
     * @param leads whether this proxy evaluates the schedules now: always when it works alone; when the
     *              proxies of a site share the work, only the one that leads the site (the others' fires
     *              are skipped, so a policy runs once per site)
     */
    public PolicyRunner(PolicyRegistry registry, PolicySelector selector, TaskIntake queue, PolicyRunStore runs,
                        EventSink events, Clock clock, Consumer<String> serverQueued,
                        java.util.function.BooleanSupplier leads) {
        this.leads = leads;
        this.registry = registry;
        this.selector = selector;
        this.queue = queue;
        this.runs = runs;
        this.events = events;
        this.clock = clock;
        this.serverQueued = serverQueued;
    }

    /** A scheduled fire (Quartz). */
    public RunSummary fire(String name) {
        if (!leads.getAsBoolean()) {
            LOG.debug("Policy {} fired; another proxy of the site leads the schedules and runs it", name);
            return new RunSummary(name, 0, false, 0, List.of(), "another proxy of the site runs the schedules");
        }
        return run(name, null, "schedule");
    }

    /**
     * A run asked for now (REST, CLI); {@code full} null keeps the policy's own mode.
     *
     * @throws PolicyBusyException while the policy's previous run is not finished
     */
    public RunSummary runNow(String name, Boolean full) {
        registry.find(name).orElseThrow(() -> new UnknownPolicyException(name, registry.all()));
        RunSummary summary = run(name, full, "api");
        if (summary.skipped() != null) {
            throw new PolicyBusyException(summary.skipped());
        }
        return summary;
    }

    /** Runs, once, each policy whose schedule passed a fire time while the proxy was not running. */
    public void catchUp() {
        if (!leads.getAsBoolean()) {
            return;
        }
        for (Policy p : registry.all()) {
            runs.lastFire(p.name()).ifPresent(last -> {
                Instant missed = p.nextFireAfter(Instant.ofEpochMilli(last));
                if (missed != null && missed.isBefore(clock.instant())) {
                    LOG.info("Policy {} missed its fire at {} while Blockferry was not running: running it once now",
                            p.name(), missed);
                    run(p.name(), null, "missed fire at " + missed);
                }
            });
        }
    }

    private synchronized RunSummary run(String name, Boolean full, String how) {
        Policy policy = registry.find(name).orElse(null);
        if (policy == null) {
            LOG.warn("Policy {} fired but is no longer in the policy file; ignored", name);
            return new RunSummary(name, 0, false, 0, List.of(), "the policy no longer exists");
        }
        if (queue.busy(name)) {
            String why = "the previous run of policy " + name + " still has tasks queued or running";
            events.publish(Event.of(EventTypes.POLICY_SKIPPED, null, Causes.PREVIOUS_RUN_BUSY.wire(), Event.WARN, why
                    + "; this " + how + " fire is skipped (a slow run is never started twice)", Map.of()));
            return new RunSummary(name, 0, false, 0, List.of(), why);
        }
        long run = runs.record(name, clock.millis());
        boolean fullRun = full != null ? full : policy.fullOnRun(run);
        Selected selected = selector.select(policy, registry.all());
        report(policy, selected);
        Set<String> servers = new LinkedHashSet<>();
        for (Target t : selected.targets()) {
            queue.submit(t.volumeId(), t.host(), name, policy.priority(), fullRun,
                    "policy " + name + " run " + run + " (" + how + ")", policy.options());
            if (t.serverId() != null) {
                servers.add(t.serverId());
            }
        }
        servers.forEach(serverQueued);
        LOG.info("Policy {} run {} ({}): {} {} sync(s) queued", name, run, how, selected.targets().size(),
                fullRun ? "full" : "incremental");
        return new RunSummary(name, run, fullRun, selected.targets().size(), selected.conflicts(), null);
    }

    private void report(Policy policy, Selected selected) {
        for (Conflict c : selected.conflicts()) {
            events.publish(Event.of(EventTypes.POLICY_CONFLICT, null, Causes.SELECTED_TWICE.wire(), Event.WARN, c.subject()
                    + " is selected by policies " + c.owner() + " and " + String.join(", ", c.others())
                    + "; only " + c.owner() + " (first in the policy file) syncs it: make the selections disjoint",
                    Map.of()));
        }
        for (String problem : selected.problems()) {
            events.publish(Event.of(EventTypes.POLICY_SKIPPED, null, "selection-failed", Event.ERROR,
                    "Policy " + policy.name() + ": part of its selection could not be resolved: " + problem,
                    Map.of()));
        }
    }
}
