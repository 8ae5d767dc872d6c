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
import java.util.List;
import java.util.Map;
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

    /**
     * The security of the broker's client listener: PLAINTEXT (the default), or SSL, SASL_SSL or
     * SASL_PLAINTEXT with the broker settings that go with it (keystore, {@code ssl.client.auth},
     * {@code sasl.enabled.mechanisms}, {@code listener.name.sasl_ssl.*.sasl.jaas.config}, ...)
     * passed through unchanged, and SCRAM users ({@code name:password}) stored when the log is first
     * formatted, for SCRAM-SHA-256 and SCRAM-SHA-512.
     */
    public record Listener(String securityProtocol, Map<String, String> brokerConfig, List<String> scramUsers) {

        public static final Listener PLAINTEXT = new Listener("PLAINTEXT", Map.of(), List.of());

        public Listener {
            securityProtocol = securityProtocol.toUpperCase(java.util.Locale.ROOT);
            if (!List.of("PLAINTEXT", "SSL", "SASL_SSL", "SASL_PLAINTEXT").contains(securityProtocol)) {
                throw new IllegalArgumentException("'" + securityProtocol + "' is not a Kafka security protocol: use "
                        + "PLAINTEXT, SSL, SASL_SSL or SASL_PLAINTEXT");
            }
            brokerConfig = Map.copyOf(brokerConfig);
            scramUsers = List.copyOf(scramUsers);
        }

        /**
         * The listener of {@code PREFIX.security-protocol}, {@code PREFIX.config.<broker key>} and
         * {@code PREFIX.scram-users} ({@code name:password,...}); {@code prefix} ends with a dot.
         */
        public static Listener from(io.blockferry.config.Settings settings, String prefix) {
            List<String> users = new java.util.ArrayList<>();
            for (String user : settings.text(prefix + "scram-users", "").split(",")) {
                if (!user.isBlank()) {
                    if (user.indexOf(':') <= 0) {
                        throw new io.blockferry.config.ConfigurationException(prefix + "scram-users has an entry "
                                + "without ':': write name:password pairs separated by commas");
                    }
                    users.add(user.trim());
                }
            }
            try {
                return new Listener(settings.text(prefix + "security-protocol", "PLAINTEXT"),
                        settings.prefixed(prefix + "config."), users);
            } catch (IllegalArgumentException e) {
                throw new io.blockferry.config.ConfigurationException(prefix + "security-protocol: " + e.getMessage());
            }
        }

        /** The user names only: passwords are never logged. */
        @Override
        public String toString() {
            return securityProtocol + (scramUsers.isEmpty() ? "" : " with SCRAM users "
                    + scramUsers.stream().map(u -> u.substring(0, u.indexOf(':'))).toList());
        }
    }

    /** Starts the broker on 127.0.0.1; a port of 0 picks a free one. */
    public static EmbeddedKafkaBroker start(Path dir, int port, int controllerPort, int maxMessageBytes) {
        return start(dir, "127.0.0.1", port, controllerPort, maxMessageBytes);
    }

    public static EmbeddedKafkaBroker start(Path dir, String host, int port, int controllerPort, int maxMessageBytes) {
        return start(dir, host, port, controllerPort, maxMessageBytes, Listener.PLAINTEXT);
    }

    /**
     * Starts the broker with its client listener on {@code host} (listened on and advertised, so it
     * must be an address clients can reach); the controller listener stays on 127.0.0.1, since only
     * this node talks to it. A port of 0 picks a free one.
     */
    public static EmbeddedKafkaBroker start(Path dir, String host, int port, int controllerPort, int maxMessageBytes,
                                            Listener listener) {
        int brokerPort = port == 0 ? freePort(controllerPort) : port;
        // never the client port: two free-port picks in a row may return the same port
        int quorumPort = controllerPort == 0 ? freePort(brokerPort) : controllerPort;
        Path logDir = dir.resolve("log");
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + quorumPort);
        String name = listener.securityProtocol();
        p.put("listeners", name + "://" + host + ":" + brokerPort + ",CONTROLLER://127.0.0.1:" + quorumPort);
        p.put("advertised.listeners", name + "://" + host + ":" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", name + ":" + name + ",CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", name);
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
        p.putAll(listener.brokerConfig());
        try {
            io.blockferry.store.OwnerOnly.createDirectories(logDir);
            Path config = dir.resolve("server.properties");
            // it may hold keystore and JAAS passwords: the owner's only
            Files.deleteIfExists(config);
            io.blockferry.store.OwnerOnly.createFile(config);
            try (Writer w = Files.newBufferedWriter(config)) {
                p.store(w, "Embedded Kafka of Blockferry; written at every start");
            }
            format(config, listener.scramUsers());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the embedded Kafka in " + dir.toAbsolutePath(), e);
        }
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(p, false), Time.SYSTEM);
        server.startup();
        String bootstrap = host + ":" + brokerPort;
        LOG.info("Embedded Kafka (KRaft) started at {} ({}) with its log in {}", bootstrap, listener,
                logDir.toAbsolutePath());
        return new EmbeddedKafkaBroker(server, bootstrap);
    }

    private static void format(Path config, List<String> scramUsers) {
        List<String> args = new java.util.ArrayList<>(List.of("format", "-t", CLUSTER_ID, "-c", config.toString(),
                "--ignore-formatted"));
        for (String user : scramUsers) {
            int colon = user.indexOf(':');
            for (String mechanism : List.of("SCRAM-SHA-256", "SCRAM-SHA-512")) {
                args.add("--add-scram");
                args.add(mechanism + "=[name=" + user.substring(0, colon) + ",password=" + user.substring(colon + 1) + "]");
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = StorageTool.execute(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8));
        if (rc != 0) {
            // the tool's output names the problem, not the passwords
            throw new IllegalStateException("formatting the embedded Kafka storage failed: " + out);
        }
    }

    /** A port free right now, other than {@code taken}. */
    private static int freePort(int taken) {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket socket = new ServerSocket(0)) {
                if (socket.getLocalPort() != taken) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("no free local port for the embedded Kafka", e);
            }
        }
        throw new IllegalStateException("no free local port for the embedded Kafka other than " + taken);
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
