package io.blockferry;

import io.blockferry.config.Settings;
import io.blockferry.transport.EmbeddedKafkaBroker;
import io.blockferry.transport.KafkaClientConfig;
import io.blockferry.transport.KafkaTopics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Finds or starts the Kafka this process uses, and makes sure Blockferry's topics exist. */
final class KafkaSetup implements AutoCloseable {

    private final EmbeddedKafkaBroker embedded;
    private final String bootstrapServers;

    private KafkaSetup(EmbeddedKafkaBroker embedded, String bootstrapServers) {
        this.embedded = embedded;
        this.bootstrapServers = bootstrapServers;
    }

    static KafkaSetup start(Settings settings, int maxMessageBytes) {
        String configured = settings.find("blockferry.kafka.bootstrap-servers").orElse(null);
        EmbeddedKafkaBroker embedded = null;
        if (configured == null) {
            embedded = EmbeddedKafkaBroker.start(Path.of(settings.text("blockferry.data-dir"), "kafka"), "127.0.0.1",
                    settings.integer("blockferry.kafka.embedded.port"),
                    settings.integer("blockferry.kafka.embedded.controller-port"), maxMessageBytes,
                    EmbeddedKafkaBroker.Listener.from(settings, "blockferry.kafka.embedded."));
        }
        KafkaSetup setup = new KafkaSetup(embedded, configured == null ? embedded.bootstrapServers() : configured);
        try {
            int partitions = settings.integer("blockferry.kafka.partitions");
            short replicas = (short) settings.integer("blockferry.kafka.replication-factor");
            Map<String, String> chunkConfig = Map.of("max.message.bytes", Integer.toString(maxMessageBytes));
            KafkaTopics.ensure(setup.bootstrapServers, List.of(
                    new KafkaTopics.Spec(settings.text("blockferry.kafka.chunk-topic"), partitions, replicas, chunkConfig),
                    new KafkaTopics.Spec(settings.text("blockferry.kafka.ack-topic"), partitions, replicas, Map.of()),
                    new KafkaTopics.Spec(settings.text("blockferry.kafka.event-topic"), partitions, replicas, Map.of()),
                    // downstream consumers' requests (a full generation): small, and stale after a day
                    new KafkaTopics.Spec(settings.text("blockferry.kafka.request-topic"), partitions, replicas,
                            Map.of("retention.ms", Long.toString(24L * 3600 * 1000))),
                    new KafkaTopics.Spec(settings.text("blockferry.kafka.dead-letter-topic"), partitions, replicas,
                            chunkConfig),
                    // Compacted: a restore consumer that starts late still finds each server's latest record.
                    new KafkaTopics.Spec(settings.text("blockferry.kafka.metadata-topic"), partitions, replicas,
                            Map.of("cleanup.policy", "compact")),
                    // Compacted: each volume's newest chunk sums stay (a head and its segments)
                    new KafkaTopics.Spec(settings.text("blockferry.kafka.sums-topic"), partitions, replicas,
                            Map.of("cleanup.policy", "compact")),
                    // The proxies of a site share the work: sync requests keyed by volume, and each
                    // volume's source state (compacted), partitioned alike (see scale/WorkSharing)
                    new KafkaTopics.Spec(settings.text("blockferry.kafka.task-topic"), partitions, replicas, Map.of()),
                    new KafkaTopics.Spec(settings.text("blockferry.kafka.source-state-topic"), partitions, replicas,
                            Map.of("cleanup.policy", "compact"))),
                    settings.integer("blockferry.kafka.timeout-seconds"), KafkaClientConfig.from(settings));
        } catch (RuntimeException e) {
            setup.close();
            throw e;
        }
        return setup;
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }
}
