package io.blockferry.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * The three-node KRaft Kafka of scripts/kafka-cluster.sh (each node broker and controller),
 * started once per test JVM if it is not up, and node failures on demand. The script does the
 * waiting: {@link #startBroker} returns once the node is back in the ISR of its partitions.
 */
public final class KafkaCluster {

    /** Node numbers, which are also the broker ids. */
    public static final List<Integer> NODES = List.of(1, 2, 3);

    private static final String SCRIPT = "scripts/kafka-cluster.sh";
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(20);
    private static Map<String, String> env;

    private KafkaCluster() {
    }

    /** Starts the cluster if needed (idempotent) and returns its client settings (BLOCKFERRY_KAFKA_* values). */
    public static synchronized Map<String, String> ensureStarted() {
        if (env == null) {
            LocalCeph.run(List.of("bash", SCRIPT, "start"), 600);
            Map<String, String> values = new HashMap<>();
            for (String line : LocalCeph.run(List.of("bash", SCRIPT, "env"), 30).split("\n")) {
                if (line.startsWith("export ")) {
                    String[] kv = line.substring(7).split("=", 2);
                    values.put(kv[0], kv[1]);
                }
            }
            env = Map.copyOf(values);
        }
        return env;
    }

    /** The bootstrap list of all three brokers, as BLOCKFERRY_KAFKA_BOOTSTRAP_SERVERS. */
    public static String bootstrapServers() {
        return ensureStarted().get("BLOCKFERRY_KAFKA_BOOTSTRAP_SERVERS");
    }

    public static int replicationFactor() {
        return Integer.parseInt(ensureStarted().get("BLOCKFERRY_KAFKA_REPLICATION_FACTOR"));
    }

    /** The address of node n's broker alone. */
    public static String broker(int node) {
        checkNode(node);
        return bootstrapServers().split(",")[node - 1];
    }

    /** kill -9 of node n: its broker and its controller (one of three voters) are gone at once. */
    public static void killBroker(int node) {
        checkNode(node);
        ensureStarted();
        LocalCeph.run(List.of("bash", SCRIPT, "kill-broker", Integer.toString(node)), 60);
    }

    /**
     * Starts node n again; returns when its broker is back in the cluster and in the ISR of every
     * partition it holds (the whole ISR, when the other two nodes run).
     */
    public static void startBroker(int node) {
        checkNode(node);
        ensureStarted();
        LocalCeph.run(List.of("bash", SCRIPT, "start-broker", Integer.toString(node)), 300);
    }

    /** Starts every node that is not running (after a test killed some), waiting as start does. */
    public static void ensureAllRunning() {
        LocalCeph.run(List.of("bash", SCRIPT, "start"), 600);
        ensureStarted();
    }

    /** An Admin client on the bootstrap list; the caller closes it. */
    public static Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        return Admin.create(p);
    }

    /** Creates a topic with the cluster's replication factor (3). */
    public static void createTopic(Admin admin, String topic, int partitions) {
        get(admin.createTopics(List.of(new NewTopic(topic, partitions, (short) replicationFactor()))).all(),
                "create topic " + topic);
        // Created means the controller wrote it; wait until every replica is in sync, so the first
        // acks=all write does not race the followers' first fetch.
        awaitIsr(admin, topic, isr -> isr.values().stream().allMatch(ids -> ids.size() == replicationFactor()),
                Duration.ofSeconds(60), "a full ISR of new topic " + topic);
    }

    public static void deleteTopic(Admin admin, String topic) {
        get(admin.deleteTopics(List.of(topic)).all(), "delete topic " + topic);
    }

    /** The brokers the cluster has now: registered and not fenced. */
    public static Set<Integer> liveBrokers(Admin admin) {
        Set<Integer> ids = new TreeSet<>();
        for (Node n : get(admin.describeCluster().nodes(), "describe the cluster")) {
            ids.add(n.id());
        }
        return ids;
    }

    /** Waits until the cluster has fenced a killed node (its heartbeat session timed out). */
    public static void awaitBrokerGone(Admin admin, int node, Duration timeout) {
        Await.until(() -> liveBrokers(admin), ids -> !ids.contains(node), timeout,
                "the cluster to notice that broker " + node + " is gone");
    }

    /** Partition number to the ids of its in-sync replicas. */
    public static Map<Integer, Set<Integer>> isr(Admin admin, String topic) {
        TopicDescription d = get(admin.describeTopics(List.of(topic)).allTopicNames(), "describe topic " + topic)
                .get(topic);
        Map<Integer, Set<Integer>> isr = new TreeMap<>();
        for (TopicPartitionInfo p : d.partitions()) {
            Set<Integer> ids = new TreeSet<>();
            p.isr().forEach(n -> ids.add(n.id()));
            isr.put(p.partition(), ids);
        }
        return isr;
    }

    /** Partition number to the ids of all its replicas, leader first. */
    public static Map<Integer, List<Integer>> replicas(Admin admin, String topic) {
        TopicDescription d = get(admin.describeTopics(List.of(topic)).allTopicNames(), "describe topic " + topic)
                .get(topic);
        Map<Integer, List<Integer>> replicas = new TreeMap<>();
        for (TopicPartitionInfo p : d.partitions()) {
            List<Integer> ids = new ArrayList<>();
            p.replicas().forEach(n -> ids.add(n.id()));
            replicas.put(p.partition(), ids);
        }
        return replicas;
    }

    /** The leader of a partition, or -1 while it has none. */
    public static int leader(Admin admin, String topic, int partition) {
        TopicPartitionInfo p = get(admin.describeTopics(List.of(topic)).allTopicNames(), "describe topic " + topic)
                .get(topic).partitions().get(partition);
        return p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id();
    }

    public static Map<Integer, Set<Integer>> awaitIsr(Admin admin, String topic,
            java.util.function.Predicate<Map<Integer, Set<Integer>>> done, Duration timeout, String what) {
        // A broker may not know a topic yet right after its creation: that is "not yet", not a failure.
        return Await.until(() -> {
            try {
                return isr(admin, topic);
            } catch (IllegalStateException e) {
                return null;
            }
        }, isr -> isr != null && done.test(isr), timeout, what);
    }

    private static <T> T get(org.apache.kafka.common.KafkaFuture<T> future, String what) {
        try {
            return future.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " was interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot " + what + " on " + bootstrapServers() + ": " + e.getMessage(), e);
        }
    }

    private static void checkNode(int node) {
        if (!NODES.contains(node)) {
            throw new IllegalArgumentException("no node " + node + ": the cluster has nodes " + NODES);
        }
    }
}
