package io.blockferry.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.BlockferryRuntime;
import io.blockferry.demo.Checksums;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncRequest;
import io.blockferry.source.VolumeState;
import io.blockferry.target.RecoveryPoint;
import io.blockferry.testing.Await;
import io.blockferry.testing.Beans;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.RecordKeyFiles;
import io.blockferry.testing.RecordProducer;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.testing.TopicWatch;
import io.blockferry.transport.ChunkCodec;
import io.blockferry.transport.ChunkRecord;
import io.blockferry.transport.ManifestDigest;
import io.blockferry.transport.SyncMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #11: with record keys configured, a foreign producer on Blockferry's topics cannot forge a
 * generation, an ack, a retention count or a resync, and a replayed genuine ack changes nothing.
 * A real Blockferry (source and target, payloads encrypted) on the local Ceph and its embedded
 * Kafka; the forgeries are published as an attacker would: unsigned, signed with a key id the
 * sites do not have, and signed under the site's key id with another secret.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ForgedRecordsTest {

    private static final int MiB = 1 << 20;
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final long SITE_SEED = 1101;

    private BlockferryRuntime runtime;
    private TestImage image;
    private RecordProducer attacker;
    private final RecordKeys site = RecordKeyFiles.keys("site", SITE_SEED);

    @BeforeAll
    void start(@TempDir Path data, @TempDir Path keys) {
        Map<String, String> settings = new HashMap<>(RecordKeyFiles.settings(keys, "site", SITE_SEED));
        settings.put("blockferry.security.encrypt-payloads", "true");
        runtime = TestRuntimes.start(data, settings);
        attacker = new RecordProducer(runtime.bootstrapServers());
        image = new TestImage("volumes", "it-contract-forged", 24L * MiB, 1102);
        image.writeRandom(0, 8 * MiB);
        runtime.sync(SyncRequest.full(image.volumeId(), "test")).awaitCommitted(WAIT);
        for (int i = 0; i < 2; i++) {
            image.writeRandom((2L + 5 * i) * MiB, MiB);
            runtime.sync(SyncRequest.incremental(image.volumeId(), "test")).awaitCommitted(WAIT);
        }
    }

    @AfterAll
    void stop() {
        attacker.close();
        runtime.close();
        image.close();
    }

    /** What an attacker signs with: nothing, a key id the sites lack, and the site's key id with another secret. */
    private static List<RecordKeys> forgers() {
        return List.of(RecordKeys.NONE, RecordKeyFiles.keys("attacker", 7), RecordKeyFiles.keys("site", 8));
    }

    private static final List<String> FORGED_CAUSES = List.of("record-unsigned", "unknown-key", "signature-invalid");

    private String replicaSha() throws Exception {
        return Checksums.sha256(runtime.writer().repository().replica(image.volumeId()));
    }

    @Test
    @Order(1)
    void should_apply_genuine_encrypted_generations_bit_identically() throws Exception {
        RecoveryPoint latest = runtime.writer().catalog().latest(image.volumeId()).orElseThrow();
        assertEquals(3, latest.generation());
        assertEquals(LocalCeph.exportSha256("volumes", image.name, latest.snapshot()), replicaSha());
    }

    @Test
    @Order(2)
    void should_never_apply_a_forged_generation_that_keeps_one_point() throws Exception {
        List<RecoveryPoint> before = runtime.writer().catalog().points(image.volumeId());
        String replicaBefore = replicaSha();
        long next = before.get(before.size() - 1).generation() + 1;
        try (TopicWatch events = TopicWatch.events(runtime.bootstrapServers())) {
            int n = 0;
            for (RecordKeys forger : forgers()) {
                long generation = next + n++;
                ChunkRecord.Begin begin = new ChunkRecord.Begin(image.volumeId(), generation, SyncMode.FULL,
                        "first-sync", 24L * MiB, MiB, "forged-" + generation, null, "forged", System.currentTimeMillis(),
                        1, 0);
                ChunkRecord.End end = new ChunkRecord.End(image.volumeId(), generation, 1, 0, 0, 0, 0,
                        new ManifestDigest().finish());
                for (ChunkRecord r : List.of(begin, end)) {
                    attacker.send("blockferry.chunks", image.volumeId(), ChunkCodec.encode(r, forger), Map.of());
                }
            }
            for (String cause : FORGED_CAUSES) {
                JsonNode dead = events.awaitEvent("dead-letter", image.volumeId(), cause, WAIT);
                assertTrue(dead.path("message").asText().contains("generation"), dead.toString());
            }
            // a genuine sync after them, on the same partition: the writer went on past the forgeries
            image.writeRandom(12L * MiB, MiB);
            GenerationReport genuine = runtime.sync(SyncRequest.incremental(image.volumeId(), "test"));
            genuine.awaitCommitted(WAIT);
            List<RecoveryPoint> after = runtime.writer().catalog().points(image.volumeId());
            assertEquals(before.size() + 1, after.size(), "no point pruned, none forged: " + after);
            assertTrue(after.stream().noneMatch(p -> p.snapshot().startsWith("forged")), after.toString());
            assertEquals(LocalCeph.exportSha256("volumes", image.name, genuine.snapshot()), replicaSha());
            assertFalse(replicaBefore.equals(replicaSha()));
        }
    }

    @Test
    @Order(5)
    void should_obey_only_a_genuine_resync_request() throws Exception {
        RecoveryPoint before = runtime.writer().catalog().latest(image.volumeId()).orElseThrow();
        try (TopicWatch events = TopicWatch.events(runtime.bootstrapServers())) {
            for (RecordKeys forger : forgers()) {
                byte[] forged = resyncRequested(image.volumeId(), before.generation());
                attacker.send("blockferry.events", image.volumeId(), forged,
                        new JsonRecordAuth(forger).sign("events", image.volumeId(), forged));
            }
            for (String cause : FORGED_CAUSES) {
                events.awaitEvent("dead-letter", image.volumeId(), cause, WAIT);
            }
            VolumeState state = Beans.volumeState(runtime, image.volumeId()).orElseThrow();
            assertNull(state.fullResyncCause(), "no forged request was obeyed");
            assertFalse(state.hasPending());
            assertEquals(before.generation(), runtime.writer().catalog().latest(image.volumeId()).orElseThrow()
                    .generation());

            // the same request signed with the site's key is obeyed: a full resync (the check can fail)
            byte[] genuine = resyncRequested(image.volumeId(), before.generation());
            attacker.send("blockferry.events", image.volumeId(), genuine,
                    new JsonRecordAuth(site).sign("events", image.volumeId(), genuine));
            RecoveryPoint resynced = Await.until(() -> runtime.writer().catalog().latest(image.volumeId())
                            .orElseThrow(), p -> p.generation() > before.generation() && p.committed(), WAIT,
                    "the genuine resync committed");
            assertEquals("FULL", resynced.mode());
        }
    }

    @Test
    @Order(4)
    void should_never_act_on_a_forged_committed_ack(@TempDir Path sourceData, @TempDir Path keys) throws Exception {
        Map<String, String> settings = new HashMap<>(RecordKeyFiles.settings(keys, "site", SITE_SEED));
        settings.put("blockferry.roles", "source");
        settings.put("blockferry.kafka.bootstrap-servers", runtime.bootstrapServers());
        // its chunks go where no target reads them: the generation stays pending until the test answers
        settings.put("blockferry.kafka.chunk-topic", "contract.unread.chunks");
        settings.put("blockferry.kafka.source-group", "contract-forged-ack-source");
        settings.put("blockferry.source.ack-timeout-seconds", "3600");
        try (BlockferryRuntime source = TestRuntimes.start(sourceData, settings);
             TestImage other = new TestImage("volumes", "it-contract-forged-ack", 8L * MiB, 1103);
             TopicWatch events = TopicWatch.events(runtime.bootstrapServers())) {
            other.writeRandom(0, 2 * MiB);
            GenerationReport pending = source.sync(SyncRequest.full(other.volumeId(), "test"));
            byte[] committed = ack(other.volumeId(), pending, "COMMITTED", null);
            for (RecordKeys forger : forgers()) {
                attacker.send("blockferry.acks", other.volumeId(), committed,
                        new JsonRecordAuth(forger).sign("acks", other.volumeId(), committed));
            }
            for (String cause : FORGED_CAUSES) {
                events.awaitEvent("dead-letter", other.volumeId(), cause, WAIT);
            }
            // the target's genuine answer, after them on the same partition: a rejection
            byte[] rejected = ack(other.volumeId(), pending, "REJECTED", "chunk-corrupt");
            attacker.send("blockferry.acks", other.volumeId(), rejected,
                    new JsonRecordAuth(site).sign("acks", other.volumeId(), rejected));
            VolumeState state = Await.until(() -> Beans.volumeState(source, other.volumeId()).orElseThrow(),
                    s -> !s.hasPending(), WAIT, "the genuine rejection acted on");
            assertFalse(state.hasBase(), "no forged COMMITTED ack made the pending snapshot a base");
            assertFalse(LocalCeph.snapshots("volumes", other.name).contains(pending.snapshot()),
                    "the rejected generation's snapshot was removed");
        }
    }

    private static byte[] ack(String volumeId, GenerationReport r, String status, String cause) {
        return ("{\"volumeId\":\"" + volumeId + "\",\"generation\":" + r.generation() + ",\"snapshot\":\""
                + r.snapshot() + "\",\"mode\":\"FULL\",\"status\":\"" + status + "\",\"cause\":"
                + (cause == null ? "null" : "\"" + cause + "\"") + ",\"reason\":\"test\",\"dataBytes\":0,"
                + "\"atMillis\":" + System.currentTimeMillis() + ",\"latestGeneration\":0}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] resyncRequested(String volumeId, long generation) {
        return ("{\"type\":\"resync-requested\",\"volumeId\":\"" + volumeId + "\",\"cause\":\"target-corrupt\","
                + "\"severity\":\"WARN\",\"message\":\"scrub found damage\",\"counts\":{\"generation\":" + generation
                + "},\"timeMillis\":" + System.currentTimeMillis() + "}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @Order(3)
    void should_change_nothing_when_an_old_genuine_ack_is_replayed() throws Exception {
        List<TopicWatch.Seen> acks;
        try (TopicWatch watch = new TopicWatch(runtime.bootstrapServers(), "blockferry.acks")) {
            acks = watch.readToEnd(WAIT);
        }
        TopicWatch.Seen first = acks.stream().filter(a -> a.key().equals(image.volumeId())
                && a.json().path("generation").asLong() == 1).findFirst().orElseThrow();
        assertEquals("site", first.headers().get("blockferry-key-id"), "acks are signed: " + first.headers());
        VolumeState before = Beans.volumeState(runtime, image.volumeId()).orElseThrow();
        List<String> snapshotsBefore = LocalCeph.snapshots("volumes", image.name);
        List<RecoveryPoint> pointsBefore = runtime.writer().catalog().points(image.volumeId());
        assertTrue(before.baseGeneration() > 1);

        try (TopicWatch events = TopicWatch.events(runtime.bootstrapServers())) {
            attacker.send("blockferry.acks", first.key(), first.value(), first.headers());
            // an unsigned ack after it, on the same partition: once it is dead-lettered, the replay was handled
            attacker.send("blockferry.acks", first.key(), first.value(), Map.of());
            events.awaitEvent("dead-letter", image.volumeId(), "record-unsigned", WAIT);
        }
        VolumeState after = Beans.volumeState(runtime, image.volumeId()).orElseThrow();
        assertEquals(before.baseGeneration(), after.baseGeneration());
        assertEquals(before.baseSnapshot(), after.baseSnapshot());
        assertEquals(before.pendingGeneration(), after.pendingGeneration());
        assertEquals(snapshotsBefore, LocalCeph.snapshots("volumes", image.name));
        assertEquals(pointsBefore.size(), runtime.writer().catalog().points(image.volumeId()).size());
    }
}
