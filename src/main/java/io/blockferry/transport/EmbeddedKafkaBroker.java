package io.blockferry.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka (broker and controller in one) inside the Blockferry JVM, used when
 * no external Kafka is configured. Its log lives under the data directory and survives restarts.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final String CLUSTER_ID = "YmxvY2tmZXJyeS1rcmFmdA";

    private final KafkaRaftServer server;
    private final String bootstrapServers;

    private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrapServers) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts the broker on 127.0.0.1; a port of 0 picks a free one. */
    public static EmbeddedKafkaBroker start(Path dir, int port, int controllerPort, int maxMessageBytes) {
        return start(dir, "127.0.0.1", port, controllerPort, maxMessageBytes);
    }

    /**
     * Starts the broker with its client listener on {@code host} (listened on and advertised, so it
     * must be an address clients can reach); the controller listener stays on 127.0.0.1, since only
     * this node talks to it. A port of 0 picks a free one.
     */
    public static EmbeddedKafkaBroker start(Path dir, String host, int port, int controllerPort, int maxMessageBytes) {
        int brokerPort = port == 0 ? freePort() : port;
        int quorumPort = controllerPort == 0 ? freePort() : controllerPort;
        Path logDir = dir.resolve("log");
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + quorumPort);
        p.put("listeners", "PLAINTEXT://" + host + ":" + brokerPort + ",CONTROLLER://127.0.0.1:" + quorumPort);
        p.put("advertised.listeners", "PLAINTEXT://" + host + ":" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("message.max.bytes", Integer.toString(maxMessageBytes));
        p.put("replica.fetch.max.bytes", Integer.toString(maxMessageBytes));
        p.put("auto.create.topics.enable", "false");
        p.put("log.retention.hours", "168");
        // The cleaner only compacts Kafka's small internal topics; its default 128 MiB buffer would
        // be most of the proxy's heap.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 << 20));
        p.put("log.cleaner.io.buffer.size", Integer.toString(256 << 10));
        try {
            Files.createDirectories(logDir);
            Path config = dir.resolve("server.properties");
            try (Writer w = Files.newBufferedWriter(config)) {
                p.store(w, "Embedded Kafka of Blockferry; written at every start");
            }
            format(config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the embedded Kafka in " + dir.toAbsolutePath(), e);
        }
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(p, false), Time.SYSTEM);
        server.startup();
        String bootstrap = host + ":" + brokerPort;
        LOG.info("Embedded Kafka (KRaft) started at {} with its log in {}", bootstrap, logDir.toAbsolutePath());
        return new EmbeddedKafkaBroker(server, bootstrap);
    }

    private static void format(Path config) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = StorageTool.execute(new String[] {"format", "-t", CLUSTER_ID, "-c", config.toString(),
            "--ignore-formatted"}, new PrintStream(out, true, StandardCharsets.UTF_8));
        if (rc != 0) {
            throw new IllegalStateException("formatting the embedded Kafka storage failed: " + out);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port for the embedded Kafka", e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
