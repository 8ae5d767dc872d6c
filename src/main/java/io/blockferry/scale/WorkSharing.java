package io.blockferry.scale;

import io.blockferry.config.ConfigurationException;
import io.blockferry.schedule.QueueObserver;
import io.blockferry.schedule.SyncTask;
import io.blockferry.schedule.TaskIntake;
import io.blockferry.schedule.WorkQueue;
import io.blockferry.security.JsonRecordAuth;
import io.blockferry.source.AckHandler;
import io.blockferry.source.SyncWaiters;
import io.blockferry.source.VolumeStateStore;
import io.blockferry.store.Database;
import io.blockferry.transport.KafkaChunkConsumer;
import io.blockferry.transport.KafkaTuning;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The proxies of one site sharing the work through Kafka (blockferry.source.work-sharing=kafka):
 * syncs are records on the task topic keyed by volume; the site's proxy group divides its
 * partitions, so a volume belongs to one proxy at a time; each change of a volume's state is
 * written to the state topic, from which its next owner continues; the owner of partition 0 leads
 * the schedules. What this proxy must do differently is asked of this class by the roles that
 * build it.
 */
public final class WorkSharing implements AutoCloseable {

    /** Where the site's proxies meet. */
    public record Topics(String bootstrapServers, String taskTopic, String stateTopic, String group) {
    }

    private final Topics topics;
    private final KafkaTuning tuning;
    private final VolumeStateStore states;
    private final SyncWaiters waiters;
    private final Duration handoverTimeout;
    private final KafkaProducer<String, byte[]> producer;
    private final SignedRecords records;
    private final VolumeOwnership ownership;
    private final SourceStateChangelog changelog;
    private final OwnedAcks acks;
    private final TaskOffsets offsets = new TaskOffsets();
    private ProxyGroupMember member;

    public WorkSharing(Topics topics, KafkaTuning tuning, JsonRecordAuth auth, Database database,
                       VolumeStateStore states, AckHandler ackHandler, SyncWaiters waiters, Duration handoverTimeout) {
        this.topics = topics;
        this.tuning = tuning;
        this.states = states;
        this.waiters = waiters;
        this.handoverTimeout = handoverTimeout;
        this.producer = new KafkaProducer<>(tuning.producer(topics.bootstrapServers()));
        this.records = new SignedRecords(producer, auth, Duration.ofSeconds(tuning.timeoutSeconds()));
        try {
            this.ownership = new VolumeOwnership(partitions());
            this.changelog = new SourceStateChangelog(records, () -> new KafkaConsumer<>(readerProperties()),
                    topics.stateTopic());
        } catch (RuntimeException e) {
            producer.close();
            throw e;
        }
        this.acks = new OwnedAcks(ackHandler, ownership, new UnclaimedAcks(database));
        // what this proxy knew alone is not the site's: each volume's state comes with its partition
        states.forgetAll();
        states.onChange((volumeId, begins) -> {
            if (ownership.owns(volumeId)) {
                states.row(volumeId).ifPresent(row -> changelog.publish(volumeId, row));
            } else if (begins) {
                // the volume moved while its task started: its new owner makes the generation
                throw new io.blockferry.source.VolumeMovedException(volumeId, "before its generation began");
            }
        });
    }

    /** The schema this adds to the source state store. */
    public static List<String> schema() {
        return UnclaimedAcks.SCHEMA;
    }

    private int partitions() {
        try (KafkaConsumer<String, byte[]> probe = new KafkaConsumer<>(readerProperties())) {
            Duration timeout = Duration.ofSeconds(tuning.timeoutSeconds());
            int tasks = probe.partitionsFor(topics.taskTopic(), timeout).size();
            int state = probe.partitionsFor(topics.stateTopic(), timeout).size();
            if (tasks != state) {
                throw new ConfigurationException("the task topic " + topics.taskTopic() + " has " + tasks
                        + " partitions and the source state topic " + topics.stateTopic() + " " + state + ": a "
                        + "volume's state must be in the partition of its tasks; give both the same number of "
                        + "partitions (kafka-topics.sh --alter --partitions), or new topics (blockferry.kafka.task-topic, "
                        + "blockferry.kafka.source-state-topic)");
            }
            return tasks;
        }
    }

    private Properties readerProperties() {
        Properties p = tuning.consumer(topics.bootstrapServers(), "unused");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    private Properties memberProperties() {
        Properties p = tuning.consumer(topics.bootstrapServers(), topics.group());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        // only the partitions that move are handed over; the others' syncs go on through a rebalance
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        // a handover waits up to the handover timeout inside the group's rebalance
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
                (int) Math.max(300_000, 4 * handoverTimeout.toMillis()));
        return p;
    }

    /** Where syncs go: the task topic, keyed by volume (this proxy's queue answers whether a policy is busy). */
    public TaskIntake intake(TaskIntake local) {
        return new KafkaTaskTopic(records, topics.taskTopic(), local, Clock.systemUTC());
    }

    /** Tells the queue's start and end of tasks to the offsets of their records, and to {@code next}. */
    public QueueObserver observer(QueueObserver next) {
        return new QueueObserver() {
            @Override
            public void started(SyncTask task, long waitedMillis) {
                offsets.started(task.volumeId());
                next.started(task, waitedMillis);
            }

            @Override
            public void finished(SyncTask task) {
                offsets.finished(task.volumeId());
                next.finished(task);
            }
        };
    }

    /** Whether this proxy leads the site's schedules now. */
    public BooleanSupplier leads() {
        return ownership::leads;
    }

    /** The volumes whose chunk records this proxy must stop sending: another proxy owns them. */
    public Predicate<String> lost() {
        return volumeId -> !ownership.owns(volumeId);
    }

    /** The bean the ack route calls in place of the ack handler. */
    public OwnedAcks acks() {
        return acks;
    }

    public VolumeOwnership ownership() {
        return ownership;
    }

    /** Joins the site's proxy group; tasks of the partitions it is given are queued by {@code queueing}. */
    public void start(WorkQueue queue, ProxyGroupMember.TaskQueueing queueing,
                      KafkaChunkConsumer.DeadLetters deadLetters, Runnable leadershipGained) {
        Handover handover = new Handover(states, changelog, acks, ownership, queue, waiters, handoverTimeout);
        member = new ProxyGroupMember(new KafkaConsumer<>(memberProperties()), topics.taskTopic(), records, handover,
                offsets, queueing, deadLetters, leadershipGained);
        member.start();
    }

    /** Leaves the site's proxy group (its partitions go to the others); the producer stays for what remains. */
    public void leave() {
        if (member != null) {
            member.close();
        }
    }

    @Override
    public void close() {
        leave();
        producer.close(Duration.ofSeconds(5));
    }
}
