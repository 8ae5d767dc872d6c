package io.blockferry.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.BlockferryRuntime;
import io.blockferry.demo.Checksums;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncRequest;
import io.blockferry.target.RecoveryPoint;
import io.blockferry.testing.Await;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.RecordKeyFiles;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12: the reference consumer (consumer/, no Blockferry classes) rebuilds a volume from a
 * real broker, bit-identical to {@code rbd export} of each generation's snapshot: full,
 * incremental (with a trim), a full resync after a chain break (the volume grew), and a consumer
 * that joins late and asks for a full generation. Records are signed; the consumer verifies them
 * with the site's key and applies only what the target acked COMMITTED.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReferenceConsumerTest {

    private static final int MiB = 1 << 20;
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final long SEED = 1301;

    private BlockferryRuntime runtime;
    private TestImage image;
    private BlockferryConsumer follower;
    private FileApplier followerFiles;
    private final List<Generation> applied = new CopyOnWriteArrayList<>();
    private final List<String> refused = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start(@TempDir Path data, @TempDir Path keys, @TempDir Path copies) {
        runtime = TestRuntimes.start(data, RecordKeyFiles.settings(keys, "site", SEED));
        image = new TestImage("volumes", "it-contract-consumer", 24L * MiB, SEED);
        followerFiles = new FileApplier(copies.resolve("images"));
        KeyRing ring = new KeyRing().add("site", RecordKeyFiles.secret(SEED));
        BlockferryConsumer.Options options = BlockferryConsumer.Options.defaults(runtime.bootstrapServers(),
                "contract-follower", copies.resolve("work"), ring).following(Set.of(image.volumeId()));
        follower = new BlockferryConsumer(new BlockferryConsumer.Options(options.bootstrapServers(),
                options.groupId(), options.consumerName(), options.workDir(), ring, false, options.volumes(),
                false, "earliest", options.chunkTopic(), options.ackTopic(), options.requestTopic()),
                followerFiles, new BlockferryConsumer.Listener() {
                    @Override
                    public void applied(Generation g) {
                        applied.add(g);
                    }

                    @Override
                    public void refused(String topic, String key, String cause, String message) {
                        refused.add(cause);
                    }
                });
        follower.start();
    }

    @AfterAll
    void stop() {
        follower.close();
        runtime.close();
        image.close();
    }

    /** Syncs, takes rbd export of the snapshot while the source has it, and waits for the consumer to apply it. */
    private void syncAndCompare(SyncRequest request, BlockferryConsumer consumer, FileApplier files, boolean full)
            throws Exception {
        GenerationReport report = runtime.sync(request);
        String expected = LocalCeph.exportSha256("volumes", image.name, report.snapshot());
        report.awaitCommitted(WAIT);
        Await.until(() -> consumer.appliedGeneration(image.volumeId()), g -> g == report.generation(), WAIT,
                "the consumer applied generation " + report.generation());
        assertEquals(report.snapshot(), consumer.appliedSnapshot(image.volumeId()));
        assertEquals(expected, Checksums.sha256(files.imageOf(image.volumeId())),
                "generation " + report.generation() + " rebuilt by the consumer is rbd export of " + report.snapshot());
        assertEquals(full, report.mode().name().equals("FULL"));
    }

    @Test
    @Order(1)
    void should_rebuild_a_full_generation_with_data_zeros_and_holes() throws Exception {
        image.writeRandom(0, 5 * MiB);
        image.writeZeros(6L * MiB, 2 * MiB);
        image.writeRandom(11L * MiB + 4096, 3 * MiB);
        syncAndCompare(SyncRequest.full(image.volumeId(), "test"), follower, followerFiles, true);
    }

    @Test
    @Order(2)
    void should_apply_an_incremental_with_a_trim_onto_it() throws Exception {
        image.writeRandom(2L * MiB + 512, 64 * 1024);
        image.discard(11L * MiB + 4096, MiB);
        image.writeRandom(20L * MiB, MiB);
        syncAndCompare(SyncRequest.incremental(image.volumeId(), "test"), follower, followerFiles, false);
        Generation last = applied.get(applied.size() - 1);
        assertEquals(false, last.full());
    }

    @Test
    @Order(3)
    void should_follow_a_full_resync_after_a_chain_break() throws Exception {
        image.resize(32L * MiB);
        image.writeRandom(28L * MiB, 2 * MiB);
        syncAndCompare(SyncRequest.incremental(image.volumeId(), "test"), follower, followerFiles, true);
        Generation last = applied.get(applied.size() - 1);
        assertEquals("volume-resized", last.cause());
        assertEquals(32L * MiB, last.imageSize());
        assertTrue(refused.isEmpty(), "every genuine record passed: " + refused);
    }

    @Test
    @Order(4)
    void should_join_late_by_asking_for_a_full_generation(@TempDir Path late) throws Exception {
        long before = runtime.writer().catalog().latest(image.volumeId()).orElseThrow().generation();
        FileApplier files = new FileApplier(late.resolve("images"));
        KeyRing ring = new KeyRing().add("site", RecordKeyFiles.secret(SEED));
        BlockferryConsumer.Options options = BlockferryConsumer.Options.defaults(runtime.bootstrapServers(),
                "contract-late", late.resolve("work"), ring).following(Set.of(image.volumeId())).startingAt("latest");
        try (BlockferryConsumer lateComer = new BlockferryConsumer(options, files, new BlockferryConsumer.Listener() {
        })) {
            lateComer.start();
            RecoveryPoint requested = Await.until(() -> runtime.writer().catalog().latest(image.volumeId())
                    .orElseThrow(), p -> p.generation() > before && p.committed(), WAIT, "the requested full generation");
            assertEquals("FULL", requested.mode());
            String expected = LocalCeph.exportSha256("volumes", image.name, requested.snapshot());
            Await.until(() -> lateComer.appliedGeneration(image.volumeId()), g -> g == requested.generation(), WAIT,
                    "the late consumer applied the full generation it asked for");
            assertEquals(expected, Checksums.sha256(files.imageOf(image.volumeId())));
            // the follower applied it as well, on top of what it had
            Await.until(() -> follower.appliedGeneration(image.volumeId()), g -> g == requested.generation(), WAIT,
                    "the follower applied it too");
            assertEquals(expected, Checksums.sha256(followerFiles.imageOf(image.volumeId())));
        }
    }
}
