package io.blockferry.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.blockferry.security.JsonRecordAuth;
import io.blockferry.testing.RecordKeyFiles;
import io.blockferry.transport.EmbeddedKafkaBroker;
import io.blockferry.transport.KafkaClientConfig;
import io.blockferry.transport.KafkaTopics;
import io.blockferry.transport.KafkaTuning;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state topic on a real broker: the next owner of a volume reads its newest signed row; a
 * row signed with another secret, an unsigned one, or one whose volume is not its key is left out,
 * and the row before it stands.
 */
class SourceStateChangelogTest {

    @Test
    void should_restore_the_newest_signed_row_of_each_volume_and_leave_out_forged_ones(@TempDir Path dir) {
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(dir.resolve("kafka"), 0, 0, 1 << 20)) {
            String servers = kafka.bootstrapServers();
            KafkaTopics.ensure(servers, List.of(new KafkaTopics.Spec("state", 2, (short) 1,
                    Map.of("cleanup.policy", "compact"))), 20);
            KafkaTuning tuning = new KafkaTuning(1 << 20, 1 << 20, 0, 32L << 20, 16 << 20, "none", 10,
                    KafkaClientConfig.none());
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(tuning.producer(servers))) {
                JsonRecordAuth site = new JsonRecordAuth(RecordKeyFiles.keys("site-a", 7));
                SourceStateChangelog changelog = new SourceStateChangelog(
                        new SignedRecords(producer, site, Duration.ofSeconds(10)), () -> reader(tuning, servers),
                        "state");
                changelog.publish("volumes/a", Map.of("volume_id", "volumes/a", "last_generation", 1));
                changelog.publish("volumes/a", Map.of("volume_id", "volumes/a", "last_generation", 2,
                        "base_snapshot", "blockferry-g000002"));
                changelog.publish("volumes/b", Map.of("volume_id", "volumes/b", "last_generation", 5));

                // a forger knows the key id, not its secret; another writes unsigned; a third moves a row
                SignedRecords forger = new SignedRecords(producer,
                        new JsonRecordAuth(RecordKeyFiles.keys("site-a", 8)), Duration.ofSeconds(10));
                forger.send("state", JsonRecordAuth.SOURCE_STATE, "volumes/a",
                        "{\"volume_id\":\"volumes/a\",\"last_generation\":99}".getBytes(StandardCharsets.UTF_8), "forged");
                forger.send("state", JsonRecordAuth.SOURCE_STATE, "volumes/c",
                        "{\"volume_id\":\"volumes/c\",\"last_generation\":1}".getBytes(StandardCharsets.UTF_8), "forged");
                producer.send(new ProducerRecord<>("state", "volumes/b",
                        "{\"volume_id\":\"volumes/b\",\"last_generation\":0}".getBytes(StandardCharsets.UTF_8))).get();
                new SignedRecords(producer, site, Duration.ofSeconds(10)).send("state", JsonRecordAuth.SOURCE_STATE,
                        "volumes/b", "{\"volume_id\":\"volumes/x\",\"last_generation\":0}"
                                .getBytes(StandardCharsets.UTF_8), "moved");

                Map<String, Map<String, Object>> rows = changelog.restore(List.of(0, 1));
                assertEquals(2L, ((Number) rows.get("volumes/a").get("last_generation")).longValue(),
                        "the newest signed row of a: " + rows.get("volumes/a"));
                assertEquals("blockferry-g000002", rows.get("volumes/a").get("base_snapshot"));
                assertEquals(5L, ((Number) rows.get("volumes/b").get("last_generation")).longValue(),
                        "b's unsigned and moved rows are left out: " + rows.get("volumes/b"));
                assertFalse(rows.containsKey("volumes/c"), "a volume only a forger wrote is not restored");
                assertEquals(Map.of(), changelog.restore(List.of()), "no partition, no row");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    private static KafkaConsumer<String, byte[]> reader(KafkaTuning tuning, String servers) {
        Properties p = tuning.consumer(servers, "unused");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }
}
