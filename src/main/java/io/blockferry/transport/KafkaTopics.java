package io.blockferry.transport;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import java.util.Collection;
import java.util.HashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates Blockferry's topics when they are missing, and proves at start-up that Kafka can be
 * reached, so an unreachable cluster is one clear error instead of a hang in the first sync.
 */
public final class KafkaTopics {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopics.class);

    /** One topic Blockferry needs. */
    public record Spec(String name, int partitions, short replicationFactor, Map<String, String> config) {
    }

    private KafkaTopics() {
    }

    private static KafkaUnavailableException unreachable(String bootstrapServers, int timeoutSeconds,
                                                         KafkaClientConfig client) {
        return new KafkaUnavailableException("Kafka at " + bootstrapServers + " did not answer within "
                + timeoutSeconds + " s: check blockferry.kafka.bootstrap-servers (BLOCKFERRY_KAFKA_BOOTSTRAP_SERVERS) "
                + "and that the brokers are running, or leave it empty to use the embedded broker; this proxy "
                + "connects with security protocol " + client.securityProtocol() + ": when the brokers' listener "
                + "requires TLS or SASL, set " + KafkaClientConfig.PREFIX + "security.protocol and its keys");
    }

    /** A refused TLS or SASL handshake as one line naming the key to fix, else the cause as it is. */
    private static KafkaUnavailableException refused(String bootstrapServers, Throwable cause, String doing,
                                                     int timeoutSeconds, KafkaClientConfig client) {
        String explained = KafkaClientConfig.explainRefusal(cause, bootstrapServers);
        if (explained != null) {
            return new KafkaUnavailableException(explained);
        }
        if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            return unreachable(bootstrapServers, timeoutSeconds, client);
        }
        return new KafkaUnavailableException("Kafka at " + bootstrapServers + " refused to " + doing + ": "
                + cause.getMessage());
    }

    /**
     * A topic made by an earlier release (or by hand) may take smaller records than this one sends:
     * its {@code max.message.bytes} is raised, so a generation is not rejected record by record.
     */
    private static void raiseMessageSizes(Admin admin, List<Spec> existing, int timeoutSeconds)
            throws ExecutionException, InterruptedException, TimeoutException {
        List<Spec> sized = existing.stream().filter(s -> s.config().containsKey("max.message.bytes")).toList();
        if (sized.isEmpty()) {
            return;
        }
        Map<ConfigResource, Config> configs = admin.describeConfigs(sized.stream()
                .map(s -> new ConfigResource(ConfigResource.Type.TOPIC, s.name())).toList())
                .all().get(timeoutSeconds, TimeUnit.SECONDS);
        Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
        for (Spec spec : sized) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, spec.name());
            ConfigEntry current = configs.get(topic).get("max.message.bytes");
            long wanted = Long.parseLong(spec.config().get("max.message.bytes"));
            if (current == null || current.value() == null || Long.parseLong(current.value()) < wanted) {
                changes.put(topic, List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes",
                        Long.toString(wanted)), AlterConfigOp.OpType.SET)));
                LOG.info("Raising max.message.bytes of Kafka topic {} from {} to {}", spec.name(),
                        current == null ? "the broker's default" : current.value(), wanted);
            }
        }
        if (!changes.isEmpty()) {
            admin.incrementalAlterConfigs(changes).all().get(timeoutSeconds, TimeUnit.SECONDS);
        }
    }

    public static void ensure(String bootstrapServers, List<Spec> specs, int timeoutSeconds) {
        ensure(bootstrapServers, specs, timeoutSeconds, KafkaClientConfig.none());
    }

    /** The admin client's properties: Blockferry's timeouts, then the client security settings. */
    public static Properties adminProperties(String bootstrapServers, int timeoutSeconds, KafkaClientConfig client) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutSeconds * 1000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutSeconds * 1000);
        return client.applyTo(props);
    }

    /** A replication factor of 0: as many replicas as the cluster has brokers, up to 3. */
    public static final short AUTO_REPLICATION = 0;
    private static final int MOST_REPLICAS = 3;

    /** min(3, brokers): one replica on a single broker, three on a production cluster. */
    private static short autoReplication(Admin admin, int timeoutSeconds)
            throws InterruptedException, ExecutionException, TimeoutException {
        int brokers = admin.describeCluster().nodes().get(timeoutSeconds, TimeUnit.SECONDS).size();
        short replicas = (short) Math.max(1, Math.min(MOST_REPLICAS, brokers));
        LOG.info("Creating Blockferry's topics with replication factor {} ({} broker(s) in the cluster)", replicas,
                brokers);
        return replicas;
    }

    /**
     * Creates the topics that are missing, with the client security settings; a Kafka that cannot be
     * reached, or refuses this client's TLS or SASL credentials, is one line naming what to fix.
     */
    public static void ensure(String bootstrapServers, List<Spec> specs, int timeoutSeconds, KafkaClientConfig client) {
        Admin created;
        try {
            created = Admin.create(adminProperties(bootstrapServers, timeoutSeconds, client));
        } catch (org.apache.kafka.common.KafkaException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw new KafkaUnavailableException("the Kafka client settings (" + client + ") are not usable: "
                    + root.getMessage() + ": fix the " + KafkaClientConfig.PREFIX + "* key it names");
        }
        try (Admin admin = created) {
            Set<String> existing = admin.listTopics().names().get(timeoutSeconds, TimeUnit.SECONDS);
            short auto = specs.stream().anyMatch(s -> s.replicationFactor() == AUTO_REPLICATION)
                    ? autoReplication(admin, timeoutSeconds) : AUTO_REPLICATION;
            List<NewTopic> missing = specs.stream().filter(s -> !existing.contains(s.name()))
                    .map(s -> new NewTopic(s.name(), s.partitions(), s.replicationFactor() == AUTO_REPLICATION ? auto
                            : s.replicationFactor()).configs(s.config()))
                    .toList();
            if (!missing.isEmpty()) {
                List<String> made = new java.util.ArrayList<>();
                for (var topic : admin.createTopics(missing).values().entrySet()) {
                    try {
                        topic.getValue().get(timeoutSeconds, TimeUnit.SECONDS);
                        made.add(topic.getKey());
                    } catch (ExecutionException e) {
                        // another process of the site (a writer or proxy starting beside this one) made it first
                        if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                            throw e;
                        }
                    }
                }
                LOG.info("Created Kafka topics {}", made);
            }
            raiseMessageSizes(admin, specs.stream().filter(s -> existing.contains(s.name())).toList(), timeoutSeconds);
        } catch (TimeoutException e) {
            throw unreachable(bootstrapServers, timeoutSeconds, client);
        } catch (ExecutionException e) {
            throw refused(bootstrapServers, e.getCause(), "set up Blockferry's topics", timeoutSeconds, client);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw refused(bootstrapServers, e, "set up Blockferry's topics", timeoutSeconds, client);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while connecting to Kafka at " + bootstrapServers);
        }
    }
}
