package io.blockferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.blockferry.BlockferryRuntime;
import io.blockferry.source.SourceSite;
import io.blockferry.source.SyncRequest;
import io.blockferry.source.VolumeState;
import io.blockferry.store.InstallationId;
import io.blockferry.testing.Await;
import io.blockferry.testing.Beans;
import io.blockferry.testing.RecordProducer;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.transport.GenerationAck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source acts only on acks addressed to its site: an ack naming the very generation and
 * snapshot it has in flight, but another source site (another source on this Kafka whose volume
 * has the same id and snapshot names), leaves the generation pending; the same ack addressed to
 * this site promotes it.
 */
class AckAddressingTest {

    private static final int MiB = 1 << 20;

    @Test
    void should_leave_an_ack_of_another_source_site_alone_and_obey_its_own(@TempDir Path data) throws Exception {
        try (TestImage image = new TestImage("volumes", "it-ack-address", 4L * MiB, 61);
             BlockferryRuntime source = TestRuntimes.start(data, Map.of("blockferry.roles", "source"));
             RecordProducer producer = new RecordProducer(source.bootstrapServers())) {
            image.writeRandom(0, MiB);
            String volume = image.volumeId();
            source.sync(SyncRequest.full(volume, "test"));
            VolumeState pending = Await.until(() -> Beans.volumeState(source, volume).orElse(null),
                    s -> s != null && s.hasPending(), Duration.ofSeconds(60), "generation 1 of " + volume + " in flight");
            GenerationAck ack = GenerationAck.committed(volume, pending.pendingGeneration(), pending.pendingSnapshot(),
                    "FULL", MiB).fromTarget("a-target");

            send(producer, volume, ack.toSource("another-site"));
            SourceSite site = Beans.of(source, "sourceSite", SourceSite.class);
            Await.until(site::foreignAcks, n -> n == 1, Duration.ofSeconds(60), "the foreign ack read");
            VolumeState after = Beans.volumeState(source, volume).orElseThrow();
            assertTrue(after.hasPending(), "another site's ack promoted nothing: " + after);
            assertEquals(0, after.baseGeneration());

            send(producer, volume, ack.toSource(InstallationId.of(data)));
            VolumeState promoted = Await.until(() -> Beans.volumeState(source, volume).orElseThrow(),
                    s -> !s.hasPending() && s.baseGeneration() == pending.pendingGeneration(), Duration.ofSeconds(60),
                    "the generation promoted by the ack addressed to this site");
            assertEquals(pending.pendingSnapshot(), promoted.baseSnapshot());
        }
    }

    private static void send(RecordProducer producer, String volume, GenerationAck ack) throws Exception {
        producer.send("blockferry.acks", volume, new ObjectMapper().writeValueAsBytes(ack),
                Map.of("Content-Type", "application/json"));
    }
}
