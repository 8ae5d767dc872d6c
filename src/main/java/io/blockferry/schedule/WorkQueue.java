package io.blockferry.schedule;

import io.blockferry.source.SourceBusyException;

import io.blockferry.events.Causes;
import io.blockferry.events.Event;
import io.blockferry.events.EventSink;
import io.blockferry.events.EventTypes;
import io.blockferry.source.SyncOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's sync tasks: every trigger queues here, and {@link #dispatch()} starts those that fit
 * the caps (hosts, disks, per pool), highest priority first, then oldest. A volume never has two
 * tasks running, and at most one waiting (later requests fold into it). A task that waits past
 * the maximum wait fails with a queue-timeout event. Queued and running tasks are stored, and a
 * restart puts the running ones back at the head of their priority.
 */
public final class WorkQueue implements TaskIntake {

    private static final Logger LOG = LoggerFactory.getLogger(WorkQueue.class);
    private static final int RECENT = 100;
    private static final Comparator<SyncTask> ORDER = Comparator.comparingInt(SyncTask::priority).reversed()
            .thenComparingLong(SyncTask::enqueuedAtMillis).thenComparingLong(SyncTask::id);

    private final QueueLimits limits;
    private final TaskStore store;
    private final EventSink events;
    private final QueueObserver observer;
    private final Clock clock;
    private final Map<Long, SyncTask> waiting = new LinkedHashMap<>();
    private final Map<Long, SyncTask> running = new LinkedHashMap<>();
    private final Deque<FinishedTask> recent = new ArrayDeque<>();
    private long nextId;
    private boolean closing;

    public WorkQueue(QueueLimits limits, TaskStore store, EventSink events, QueueObserver observer, Clock clock,
                     Function<String, SyncOptions> optionsOfPolicy) {
        this.limits = limits;
        this.store = store;
        this.events = events;
        this.observer = observer;
        this.clock = clock;
        for (SyncTask t : store.load(optionsOfPolicy)) {
            SyncTask back = t.waiting();
            waiting.put(t.id(), back);
            store.save(back);
            nextId = Math.max(nextId, t.id());
        }
        if (!waiting.isEmpty()) {
            LOG.info("Work queue: {} task(s) from before the restart are queued again", waiting.size());
        }
    }

    /**
     * Queues a sync of {@code volumeId}. If the volume already waits, the request folds into that
     * task (a full request makes it full) and that task is returned.
     */
    @Override
    public synchronized SyncTask submit(String volumeId, String host, String policy, int priority, boolean full,
                                        String trigger, SyncOptions options) {
        return submit(volumeId, host, policy, priority, full, trigger, options, null);
    }

    /**
     * As {@link #submit(String, String, String, int, boolean, String, SyncOptions)}, for a request
     * another proxy may have run already (it owned the volume before, and died or handed it over):
     * the task settles what that proxy left, as a task a restart interrupted does (see TaskRunner).
     *
     * @param earlierSinceMillis when that request was made, or null
     */
    public synchronized SyncTask submit(String volumeId, String host, String policy, int priority, boolean full,
                                        String trigger, SyncOptions options, Long earlierSinceMillis) {
        SyncTask task = new SyncTask(++nextId, volumeId, host == null ? volumeId : host, policy, priority, full,
                trigger, options, clock.millis(), null, earlierSinceMillis);
        Optional<SyncTask> same = waiting.values().stream().filter(t -> t.volumeId().equals(volumeId)).findFirst();
        if (same.isPresent()) {
            SyncTask merged = same.get().merge(task);
            waiting.put(merged.id(), merged);
            store.save(merged);
            LOG.info("Sync of {} ({}) is already queued as task {}", volumeId, trigger, merged.id());
            return merged;
        }
        waiting.put(task.id(), task);
        store.save(task);
        return task;
    }

    /** Fails the tasks that waited too long, then starts those that fit the caps; returns the started. */
    public synchronized List<SyncTask> dispatch() {
        if (closing) {
            return List.of();
        }
        long now = clock.millis();
        expire(now);
        List<SyncTask> started = new ArrayList<>();
        for (SyncTask t : waiting.values().stream().sorted(ORDER).toList()) {
            if (fits(t)) {
                SyncTask s = t.started(now);
                waiting.remove(t.id());
                running.put(s.id(), s);
                store.save(s);
                observer.started(s, now - s.enqueuedAtMillis());
                started.add(s);
            }
        }
        return started;
    }

    /** Frees the task's slot, whatever the sync's outcome; {@code error} is null when it succeeded. */
    public synchronized void finished(SyncTask task, String error) {
        SyncTask done = running.remove(task.id());
        if (done != null) {
            observer.finished(done);
        }
        if (closing) {
            return;
        }
        store.delete(task.id());
        if (done != null) {
            recent.addFirst(new FinishedTask(done, clock.millis(), error));
            if (recent.size() > RECENT) {
                recent.removeLast();
            }
        }
    }

    /**
     * Frees the task's slot: a task whose backend had no room ({@link SourceBusyException}, HCS's
     * {@code Ecs.0042}) waits again in its old place, its maximum wait counted from when it was
     * first queued; any other outcome ends it, as {@link #finished(SyncTask, String)} does.
     */
    public synchronized void finished(SyncTask task, String error, Throwable failure) {
        if (!(failure instanceof SourceBusyException) || closing || running.remove(task.id()) == null) {
            finished(task, error);
            return;
        }
        boolean folded = waiting.values().stream().anyMatch(t -> t.volumeId().equals(task.volumeId()));
        if (folded) {
            // a later request for the volume already waits: it covers this one
            store.delete(task.id());
            return;
        }
        SyncTask again = new SyncTask(task.id(), task.volumeId(), task.host(), task.policy(), task.priority(),
                task.full(), task.trigger(), task.options(), task.enqueuedAtMillis(), null);
        waiting.put(again.id(), again);
        store.save(again);
        LOG.info("{} is queued again: {}", task.describe(), failure.getMessage());
    }

    /**
     * The proxy is stopping: nothing more starts, and running tasks stay stored, so the next start
     * queues them again (their generations are settled by the planner then).
     */
    public synchronized void close() {
        closing = true;
    }

    /**
     * This proxy no longer owns these volumes (another proxy of the site took them): their waiting
     * tasks leave the queue without an event, for the new owner has them from the task topic.
     *
     * @return the volumes of tasks still running, which the caller waits for
     */
    public synchronized Set<String> release(java.util.function.Predicate<String> volumes) {
        for (SyncTask t : List.copyOf(waiting.values())) {
            if (volumes.test(t.volumeId())) {
                waiting.remove(t.id());
                store.delete(t.id());
                LOG.info("{} is left to the proxy that owns {} now", t.describe(), t.volumeId());
            }
        }
        Set<String> busy = new HashSet<>();
        running.values().stream().map(SyncTask::volumeId).filter(volumes).forEach(busy::add);
        return busy;
    }

    /** The last finished tasks, newest first, with their start and end times. */
    public synchronized List<FinishedTask> recent() {
        return List.copyOf(recent);
    }

    public synchronized List<SyncTask> queued() {
        return waiting.values().stream().sorted(ORDER).toList();
    }

    public synchronized List<SyncTask> running() {
        return List.copyOf(running.values());
    }

    public synchronized int depth() {
        return waiting.size();
    }

    /** Whether a task of {@code policy} is waiting or running. */
    @Override
    public synchronized boolean busy(String policy) {
        return waiting.values().stream().anyMatch(t -> policy.equals(t.policy()))
                || running.values().stream().anyMatch(t -> policy.equals(t.policy()));
    }

    private boolean fits(SyncTask t) {
        if (running.size() >= limits.maxDisks()) {
            return false;
        }
        Set<String> hosts = new HashSet<>();
        Map<String, Integer> perPool = new HashMap<>();
        int sameBackend = 0;
        for (SyncTask r : running.values()) {
            if (r.volumeId().equals(t.volumeId())) {
                return false;
            }
            hosts.add(r.host());
            perPool.merge(r.pool(), 1, Integer::sum);
            if (r.backend().equals(t.backend())) {
                sameBackend++;
            }
        }
        return (hosts.contains(t.host()) || hosts.size() < limits.maxHosts())
                && perPool.getOrDefault(t.pool(), 0) < limits.poolLimit(t.pool())
                && sameBackend < limits.backendLimit(t.backend());
    }

    private void expire(long now) {
        long maxWait = limits.maxWait().toMillis();
        for (SyncTask t : List.copyOf(waiting.values())) {
            long waited = now - t.enqueuedAtMillis();
            if (waited > maxWait) {
                waiting.remove(t.id());
                store.delete(t.id());
                observer.finished(t);
                events.publish(Event.of(EventTypes.QUEUE_TIMEOUT, t.volumeId(), Causes.QUEUE_TIMEOUT.wire(), Event.ERROR,
                        t.describe() + " waited " + Duration.ofMillis(waited).toSeconds() + " s for a slot, longer "
                                + "than blockferry.queue.max-wait (" + limits.maxWait().toSeconds() + " s), and was "
                                + "not run: raise the caps (blockferry.queue.max-disks, max-hosts, pool-limits) or "
                                + "spread the schedules", Map.of("taskId", t.id(), "waitedSeconds", waited / 1000)));
            }
        }
    }
}
