package io.blockferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.BlockferryRuntime;
import io.blockferry.demo.Checksums;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncRequest;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestPki;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.transport.EmbeddedKafkaBroker;
import io.blockferry.transport.KafkaUnavailableException;
import io.blockferry.transport.SyncMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blockferry against a real Kafka broker whose only client listener is SASL_SSL (SCRAM-SHA-512,
 * TLS with client certificates required), with certificates the test makes with keytool: every
 * client Blockferry makes (the topic admin, the chunk producer and consumer, Camel's ack, event and
 * dead-letter endpoints) takes {@code blockferry.kafka.client.*} as it is, and a wrong password or
 * an untrusted broker certificate is one clear line naming the key to fix.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecuredKafkaTest {

    private static final int MiB = 1 << 20;
    private static final String SCRAM = "org.apache.kafka.common.security.scram.ScramLoginModule required ";

    private EmbeddedKafkaBroker broker;
    private TestPki pki;
    private TestPki rogue;
    private String bootstrap;
    private final String clientPassword = "client-" + Long.toHexString(Double.doubleToLongBits(Math.random()));

    @BeforeAll
    void startBroker(@TempDir Path dir) throws Exception {
        LocalCeph.ensureStarted();
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")), "blockferry-test-ca");
        rogue = TestPki.create(Files.createDirectories(dir.resolve("rogue")), "some-other-ca");
        Path brokerStore = pki.keystore("broker");
        Path brokerTrust = pki.truststore("broker-trust");
        String brokerPassword = "broker-" + System.nanoTime();
        Map<String, String> config = new HashMap<>();
        config.put("ssl.keystore.location", brokerStore.toString());
        config.put("ssl.keystore.type", "PKCS12");
        config.put("ssl.keystore.password", pki.password);
        config.put("ssl.key.password", pki.password);
        config.put("ssl.truststore.location", brokerTrust.toString());
        config.put("ssl.truststore.type", "PKCS12");
        config.put("ssl.truststore.password", pki.password);
        config.put("listener.name.sasl_ssl.ssl.client.auth", "required");
        config.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        config.put("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
        config.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                SCRAM + "username=\"broker\" password=\"" + brokerPassword + "\";");
        broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), "127.0.0.1", 0, 0, 5 << 20,
                new EmbeddedKafkaBroker.Listener("SASL_SSL", config,
                        List.of("broker:" + brokerPassword, "blockferry:" + clientPassword)));
        bootstrap = broker.bootstrapServers();
    }

    @AfterAll
    void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    /** The settings an operator writes for this broker: SASL_SSL, SCRAM, the CA and a client certificate. */
    private Map<String, String> client(String password, Path truststore) {
        Path keystore = pki.keystore("client-" + System.nanoTime());
        Map<String, String> s = new HashMap<>();
        s.put("blockferry.kafka.bootstrap-servers", bootstrap);
        s.put("blockferry.kafka.timeout-seconds", "15");
        s.put("blockferry.kafka.client.security.protocol", "SASL_SSL");
        s.put("blockferry.kafka.client.sasl.mechanism", "SCRAM-SHA-512");
        s.put("blockferry.kafka.client.sasl.jaas.config", SCRAM + "username=\"blockferry\" password=\"" + password + "\";");
        s.put("blockferry.kafka.client.ssl.truststore.location", truststore.toString());
        s.put("blockferry.kafka.client.ssl.truststore.type", "PKCS12");
        s.put("blockferry.kafka.client.ssl.truststore.password", truststore.startsWith(rogue.dir) ? rogue.password
                : pki.password);
        s.put("blockferry.kafka.client.ssl.keystore.location", keystore.toString());
        s.put("blockferry.kafka.client.ssl.keystore.type", "PKCS12");
        s.put("blockferry.kafka.client.ssl.keystore.password", pki.password);
        s.put("blockferry.kafka.client.ssl.key.password", pki.password);
        return s;
    }

    @Test
    void should_sync_bit_identically_through_a_broker_that_takes_only_sasl_ssl(@TempDir Path data) throws Exception {
        try (BlockferryRuntime runtime = TestRuntimes.start(data, client(clientPassword, pki.truststore("trust-ok")));
             TestImage image = new TestImage("volumes", "it-harden-kafka", 24L * MiB, 71)) {
            image.writeRandom(0, 6 * MiB);
            image.writeRandom(17L * MiB, 3 * MiB);
            GenerationReport full = runtime.sync(SyncRequest.incremental(image.volumeId(), "test"));
            full.awaitCommitted(Duration.ofMinutes(2));
            image.writeRandom(2L * MiB, MiB);
            GenerationReport incremental = runtime.sync(SyncRequest.incremental(image.volumeId(), "test"));
            incremental.awaitCommitted(Duration.ofMinutes(2));

            assertEquals(SyncMode.FULL, full.mode());
            assertEquals(SyncMode.INCREMENTAL, incremental.mode(), "the ack came back through Camel's SASL_SSL consumer");
            assertEquals(LocalCeph.exportSha256("volumes", image.name, incremental.snapshot()),
                    Checksums.sha256(runtime.writer().repository().replica(image.volumeId())));
        }
    }

    @Test
    void should_name_the_sasl_key_when_the_password_is_wrong(@TempDir Path data) {
        String wrong = "not-the-password-" + System.nanoTime();
        KafkaUnavailableException e = assertThrows(KafkaUnavailableException.class,
                () -> TestRuntimes.start(data, client(wrong, pki.truststore("trust-" + System.nanoTime()))).close());

        assertTrue(e.getMessage().contains("refused Blockferry's SASL credentials"), e.getMessage());
        assertTrue(e.getMessage().contains("blockferry.kafka.client.sasl.jaas.config"), e.getMessage());
        assertFalse(e.getMessage().contains(wrong), "the password is not in the message");
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void should_name_the_truststore_key_when_the_broker_certificate_is_not_trusted(@TempDir Path data) {
        KafkaUnavailableException e = assertThrows(KafkaUnavailableException.class,
                () -> TestRuntimes.start(data, client(clientPassword, rogue.truststore("rogue-trust"))).close());

        assertTrue(e.getMessage().contains("presented a TLS certificate that this proxy does not trust"), e.getMessage());
        assertTrue(e.getMessage().contains("blockferry.kafka.client.ssl.truststore.location"), e.getMessage());
        assertFalse(e.getMessage().contains(pki.password) || e.getMessage().contains(rogue.password)
                || e.getMessage().contains(clientPassword), "no password in the message");
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
