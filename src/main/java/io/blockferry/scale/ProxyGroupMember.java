package io.blockferry.scale;

import io.blockferry.security.JsonRecordAuth;
import io.blockferry.transport.KafkaChunkConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This proxy's membership of the site's proxy group on the task topic. The group's assignment
 * decides which volumes it owns; each task record of an owned partition is queued here
 * ({@link TaskQueueing}); the partition's offset is committed only past the records whose tasks
 * have finished. A partition is queued from only once its volumes' state is in place; one whose
 * state cannot be read yet is paused and tried again.
 */
public final class ProxyGroupMember implements AutoCloseable {

    /** Queues a task record on this proxy; {@code earlier} when a previous owner may have run it already. */
    public interface TaskQueueing {
        void queue(TaskRecord task, boolean earlier);
    }

    private static final Logger LOG = LoggerFactory.getLogger(ProxyGroupMember.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final Consumer<String, byte[]> consumer;
    private final String topic;
    private final SignedRecords records;
    private final Handover handover;
    private final TaskOffsets offsets;
    private final TaskQueueing queueing;
    private final KafkaChunkConsumer.DeadLetters deadLetters;
    private final Runnable leadershipGained;
    private final Set<Integer> restoring = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Long> earlierUntil = new ConcurrentHashMap<>();
    private final Map<Integer, Long> committed = new HashMap<>();
    private final Thread thread;
    private volatile boolean closed;

    ProxyGroupMember(Consumer<String, byte[]> consumer, String topic, SignedRecords records, Handover handover,
                     TaskOffsets offsets, TaskQueueing queueing, KafkaChunkConsumer.DeadLetters deadLetters,
                     Runnable leadershipGained) {
        this.consumer = consumer;
        this.topic = topic;
        this.records = records;
        this.handover = handover;
        this.offsets = offsets;
        this.queueing = queueing;
        this.deadLetters = deadLetters;
        this.leadershipGained = leadershipGained;
        this.thread = new Thread(this::run, "proxy-group");
        this.thread.setDaemon(true);
    }

    void start() {
        consumer.subscribe(List.of(topic), new Listener());
        thread.start();
    }

    private void run() {
        while (!closed) {
            try {
                retryRestores();
                for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                    accept(r);
                }
                commit();
            } catch (WakeupException e) {
                if (!closed) {
                    LOG.warn("Proxy group: woken up while running", e);
                }
            } catch (org.apache.kafka.common.errors.RebalanceInProgressException e) {
                LOG.debug("Proxy group on {}: the commit waits for the rebalance", topic);
            } catch (RuntimeException e) {
                LOG.warn("Proxy group on {}: {} (trying again)", topic, e.getMessage());
                sleep();
            }
        }
        try {
            commit();
        } catch (RuntimeException e) {
            LOG.debug("Proxy group: last commit failed: {}", e.getMessage());
        }
        consumer.close(Duration.ofSeconds(5));
    }

    private void accept(ConsumerRecord<String, byte[]> r) {
        TaskRecord task;
        try {
            records.verify(r, JsonRecordAuth.TASKS);
            task = TaskRecord.decode(r.key(), r.value());
        } catch (RuntimeException e) {
            deadLetters.send(r.key(), r.value(), e);
            offsets.skipped(r.partition(), r.offset());
            return;
        }
        offsets.consumed(r.partition(), r.offset(), task.volumeId());
        boolean earlier = r.offset() < earlierUntil.getOrDefault(r.partition(), -1L);
        try {
            queueing.queue(task, earlier);
        } catch (RuntimeException e) {
            LOG.warn("The task record for {} ({}) could not be queued: {}", task.volumeId(), task.trigger(),
                    e.getMessage());
            offsets.finished(task.volumeId());
        }
    }

    private void commit() {
        Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
        for (TopicPartition tp : consumer.assignment()) {
            if (restoring.contains(tp.partition())) {
                continue;
            }
            long at = offsets.oldestOpen(tp.partition()).orElse(consumer.position(tp));
            if (!Long.valueOf(at).equals(committed.get(tp.partition()))) {
                commits.put(tp, new OffsetAndMetadata(at));
            }
        }
        if (!commits.isEmpty()) {
            consumer.commitSync(commits);
            commits.forEach((tp, o) -> committed.put(tp.partition(), o.offset()));
        }
    }

    private void retryRestores() {
        if (restoring.isEmpty()) {
            return;
        }
        take(new TreeSet<>(restoring));
    }

    private void take(Collection<Integer> partitions) {
        List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(topic, p)).toList();
        try {
            handover.take(partitions);
        } catch (RuntimeException e) {
            LOG.warn("Task partitions {}: their volumes' state cannot be read yet ({}); they are paused and tried "
                    + "again", partitions, e.getMessage());
            restoring.addAll(partitions);
            consumer.pause(tps);
            sleep();
            return;
        }
        restoring.removeAll(partitions);
        consumer.endOffsets(tps).forEach((tp, end) -> earlierUntil.put(tp.partition(), end));
        consumer.resume(tps);
        if (partitions.contains(0)) {
            Thread leader = new Thread(leadershipGained, "proxy-group-leader");
            leader.setDaemon(true);
            leader.start();
        }
    }

    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                take(numbers(partitions));
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            leave(partitions, false);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            leave(partitions, true);
        }

        private void leave(Collection<TopicPartition> partitions, boolean lost) {
            if (partitions.isEmpty()) {
                return;
            }
            List<Integer> numbers = numbers(partitions);
            // what is not done now stays uncommitted, even the tasks the handover cuts short: the new
            // owner runs them again (and settles what they left)
            Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
            if (!lost) {
                for (TopicPartition tp : partitions) {
                    if (!restoring.contains(tp.partition())) {
                        commits.put(tp, new OffsetAndMetadata(offsets.oldestOpen(tp.partition())
                                .orElse(consumer.position(tp))));
                    }
                }
            }
            numbers.forEach(restoring::remove);
            for (Integer p : numbers) {
                offsets.forget(p);
                committed.remove(p);
                earlierUntil.remove(p);
            }
            handover.leave(numbers, lost);
            if (!commits.isEmpty()) {
                try {
                    consumer.commitSync(commits);
                } catch (RuntimeException e) {
                    LOG.info("Task partitions {}: the last commit before the handover failed ({}); the new owner "
                            + "reads from the one before", numbers, e.getMessage());
                }
            }
        }
    }

    private static List<Integer> numbers(Collection<TopicPartition> partitions) {
        return new ArrayList<>(partitions.stream().map(TopicPartition::partition).sorted().toList());
    }

    private static void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        consumer.wakeup();
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
