package io.blockferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.BlockferryRuntime;
import io.blockferry.demo.Checksums;
import io.blockferry.restore.ChainPins;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncOptions;
import io.blockferry.source.SyncRequest;
import io.blockferry.target.RecoveryPoint;
import io.blockferry.testing.Await;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 20: a restore reads a pinned chain. Retention merges away the points a restore planned
 * while it runs; the restore's links still hold them, unchanged, and importing them with stock
 * rbd gives the point it planned.
 */
class RestorePinTest {

    private static final int MiB = 1 << 20;
    private static final Duration ACK = Duration.ofMinutes(2);

    @Test
    void should_restore_the_planned_chain_although_retention_prunes_it_meanwhile(@TempDir Path data) throws Exception {
        try (BlockferryRuntime runtime = TestRuntimes.start(data, Map.of());
             TestImage image = new TestImage("volumes", "it-harden-pin", 16L * MiB, 61);
             TestImage restored = new TestImage("volumes", "it-harden-pin-restored", 16L * MiB, 62)) {
            image.writeRandom(0, 4 * MiB);
            runtime.sync(SyncRequest.incremental(image.volumeId(), "test")).awaitCommitted(ACK);
            image.writeRandom(6L * MiB, 2 * MiB);
            GenerationReport second = runtime.sync(SyncRequest.incremental(image.volumeId(), "test"));
            second.awaitCommitted(ACK);
            String planned = LocalCeph.exportSha256("volumes", image.name, second.snapshot());

            ChainPins pins = new ChainPins(runtime.writer().repository().root(), runtime.writer().catalog()::currentChain,
                    p -> runtime.writer().repository().pointDiff(p.volumeId(), p.generation()), runtime.writer()::lockOf);
            try (ChainPins.Pinned pinned = pins.pin("job-1", List.of(image.volumeId()))) {
                List<RecoveryPoint> chain = pinned.chainOf(image.volumeId());
                assertEquals(2, chain.size());
                List<String> before = chain.stream().map(p -> sha(pinned.diffOf(p))).toList();

                // a commit whose policy keeps one point: retention merges g1 and g2 into g3
                image.writeRandom(MiB, MiB);
                runtime.sync(new SyncRequest(image.volumeId(), false, "test",
                        new SyncOptions("keep-one", 1, 1, 0, null, null))).awaitCommitted(ACK);
                Await.until(() -> runtime.writer().catalog().points(image.volumeId()).size(), n -> n == 1,
                        Duration.ofSeconds(60), "retention to keep one point");
                assertFalse(Files.exists(runtime.writer().repository().pointDiff(image.volumeId(), 1)),
                        "the first point's own file is gone");

                assertEquals(before, chain.stream().map(p -> sha(pinned.diffOf(p))).toList(),
                        "the pinned files are the ones planned, unchanged");
                for (RecoveryPoint point : chain) {
                    LocalCeph.rbd("import-diff", pinned.diffOf(point).toString(), "volumes/" + restored.name);
                }
                assertEquals(planned, LocalCeph.exportSha256("volumes", restored.name, null),
                        "the restore gives the point it planned");
                LocalCeph.rbd("snap", "purge", "volumes/" + restored.name);
            }
            try (var left = Files.list(runtime.writer().repository().root().resolve(".restores"))) {
                assertTrue(left.findAny().isEmpty(), "the links go with the job");
            }
        }
    }

    private static String sha(Path file) {
        try {
            return Checksums.sha256(file);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
