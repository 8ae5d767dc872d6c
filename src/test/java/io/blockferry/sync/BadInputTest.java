package io.blockferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.BlockferryRuntime;
import io.blockferry.config.ConfigurationException;
import io.blockferry.ceph.CephCluster;
import io.blockferry.ceph.CephException;
import io.blockferry.ceph.CephSettings;
import io.blockferry.source.SyncRequest;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.transport.KafkaUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of bad input gives one clear error that names the cause and the fix. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {

    private BlockferryRuntime runtime;

    @BeforeAll
    void start(@TempDir Path data) {
        runtime = TestRuntimes.start(data, Map.of());
    }

    @AfterAll
    void stop() {
        runtime.close();
    }

    @Test
    void should_name_an_unknown_pool() {
        CephException e = assertThrows(CephException.class,
                () -> runtime.sync(SyncRequest.incremental("no-such-pool/disk", "test")));
        assertTrue(e.getMessage().contains("pool 'no-such-pool' does not exist"), e.getMessage());
    }

    @Test
    void should_name_an_unknown_image() {
        CephException e = assertThrows(CephException.class,
                () -> runtime.sync(SyncRequest.incremental("volumes/no-such-image", "test")));
        assertTrue(e.getMessage().contains("RBD image volumes/no-such-image does not exist"), e.getMessage());
    }

    @Test
    void should_reject_wrong_cephx_credentials_without_revealing_the_key(@TempDir Path dir) throws Exception {
        byte[] key = new byte[28];
        key[0] = 1;
        key[1] = 0;
        for (int i = 12; i < key.length; i++) {
            key[i] = (byte) (i * 7);
        }
        key[10] = 16;
        String secret = Base64.getEncoder().encodeToString(key);
        Path keyring = dir.resolve("wrong.keyring");
        Files.writeString(keyring, "[client.blockferry]\n\tkey = " + secret + "\n");

        CephException e = assertThrows(CephException.class,
                () -> CephCluster.connect(new CephSettings(LocalCeph.conf(), "blockferry", keyring, 10)));
        assertTrue(e.getMessage().contains("refused the cephx credentials of client.blockferry"), e.getMessage());
        assertTrue(e.getMessage().contains(keyring.toString()), "names the keyring to check: " + e.getMessage());
        assertFalse(e.getMessage().contains(secret), "never reveals the key");
    }

    @Test
    void should_report_unreachable_ceph_monitors(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("ceph.conf");
        Files.writeString(conf, "[global]\nmon host = 127.0.0.1:1\nauth client required = cephx\n");
        CephException e = assertThrows(CephException.class,
                () -> CephCluster.connect(new CephSettings(conf, "blockferry", LocalCeph.keyring(), 3)));
        assertTrue(e.getMessage().contains("did not answer within 3 s"), e.getMessage());
        assertTrue(e.getMessage().contains("127.0.0.1:1"), e.getMessage());
    }

    @Test
    void should_report_a_missing_ceph_configuration_file(@TempDir Path dir) {
        CephException e = assertThrows(CephException.class, () -> CephCluster.connect(
                new CephSettings(dir.resolve("absent.conf"), "blockferry", null, 3)));
        assertTrue(e.getMessage().contains("BLOCKFERRY_CEPH_CONF"), e.getMessage());
    }

    @Test
    void should_report_unreachable_kafka(@TempDir Path dir) {
        KafkaUnavailableException e = assertThrows(KafkaUnavailableException.class,
                () -> TestRuntimes.start(dir, Map.of("blockferry.kafka.bootstrap-servers", "127.0.0.1:1",
                        "blockferry.kafka.timeout-seconds", "3")));
        assertTrue(e.getMessage().contains("Kafka at 127.0.0.1:1 did not answer within 3 s"), e.getMessage());
        assertTrue(e.getMessage().contains("BLOCKFERRY_KAFKA_BOOTSTRAP_SERVERS"), e.getMessage());
    }

    @Test
    void should_name_a_bad_configuration_value(@TempDir Path dir) {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> TestRuntimes.start(dir, Map.of("blockferry.roles", "source,printer")));
        assertEquals("configuration key 'blockferry.roles' (set by the caller) has the value 'source,printer', which is "
                + "not made of source, target: fix it in " + TestRuntimes.CONFIG + " or set BLOCKFERRY_ROLES", e.getMessage());
    }

    @Test
    void should_ask_for_the_site_name_when_proxies_share_the_work(@TempDir Path dir) {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> TestRuntimes.start(dir, Map.of("blockferry.source.work-sharing", "kafka")));
        assertTrue(e.getMessage().startsWith("blockferry.source.work-sharing=kafka: set blockferry.site to the "
                + "site's name, the same on every proxy of the site"), e.getMessage());
    }

    @Test
    void should_dead_letter_records_whose_volume_id_would_leave_the_repository() throws Exception {
        Path repository = runtime.writer().repository().root();
        java.util.List<String> ids = java.util.List.of("..", ".", "", "x".repeat(300));
        try (io.blockferry.testing.ChunkTopic chunks = new io.blockferry.testing.ChunkTopic(runtime.bootstrapServers());
             io.blockferry.testing.TopicWatch deadLetters = new io.blockferry.testing.TopicWatch(runtime.bootstrapServers(),
                     "blockferry.dead-letters")) {
            for (String id : ids) {
                io.blockferry.transport.ChunkRecord.Begin begin = new io.blockferry.transport.ChunkRecord.Begin(id, 1,
                        io.blockferry.transport.SyncMode.FULL, "first-sync", 1 << 20, 1 << 20,
                        "blockferry-g000001-20261201T100000Z", null, "id", 0, 0);
                byte[] payload = new byte[4096];
                io.blockferry.transport.ChunkRecord.Data data = new io.blockferry.transport.ChunkRecord.Data(id, 1, 1, 0,
                        io.blockferry.transport.ChunkCodec.crc32c(payload), payload);
                chunks.publish(id, java.util.List.of(io.blockferry.transport.ChunkCodec.encode(begin),
                        io.blockferry.transport.ChunkCodec.encode(data)));
            }
            for (String id : ids) {
                io.blockferry.testing.TopicWatch.Seen dead = deadLetters.await(seen -> id.equals(seen.key())
                        && "volume-id-invalid".equals(seen.headers().get("blockferry-cause")),
                        java.time.Duration.ofSeconds(60), "the records of volume id '" + id + "' dead-lettered");
                assertTrue(dead.headers().get("blockferry-message").contains("not applied"), dead.headers().toString());
            }
        }
        for (Path dir : java.util.List.of(repository, repository.getParent())) {
            for (String name : java.util.List.of("replica.img", "staging", "points")) {
                assertFalse(Files.exists(dir.resolve(name)), "nothing written outside REPO/<encoded id>/: " + dir.resolve(name));
            }
        }
    }
}
