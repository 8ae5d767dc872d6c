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
import org.apache.kafka.clients.admin.NewTopic;
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

    private static KafkaUnavailableException unreachable(String bootstrapServers, int timeoutSeconds) {
        return new KafkaUnavailableException("Kafka at " + bootstrapServers + " did not answer within "
                + timeoutSeconds + " s: check blockferry.kafka.bootstrap-servers (BLOCKFERRY_KAFKA_BOOTSTRAP_SERVERS) "
                + "and that the brokers are running, or leave it empty to use the embedded broker");
    }

    public static void ensure(String bootstrapServers, List<Spec> specs, int timeoutSeconds) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutSeconds * 1000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutSeconds * 1000);
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(timeoutSeconds, TimeUnit.SECONDS);
            List<NewTopic> missing = specs.stream().filter(s -> !existing.contains(s.name()))
                    .map(s -> new NewTopic(s.name(), s.partitions(), s.replicationFactor()).configs(s.config()))
                    .toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(timeoutSeconds, TimeUnit.SECONDS);
                LOG.info("Created Kafka topics {}", missing.stream().map(NewTopic::name).toList());
            }
        } catch (TimeoutException e) {
            throw unreachable(bootstrapServers, timeoutSeconds);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unreachable(bootstrapServers, timeoutSeconds);
            }
            throw new KafkaUnavailableException("Kafka at " + bootstrapServers + " refused to set up Blockferry's "
                    + "topics: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException("interrupted while connecting to Kafka at " + bootstrapServers);
        }
    }
}
