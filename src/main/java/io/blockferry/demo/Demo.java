package io.blockferry.demo;

import com.ceph.rbd.Rbd;
import com.ceph.rbd.RbdException;
import com.ceph.rbd.RbdImage;
import io.blockferry.BlockferryRuntime;
import io.blockferry.config.Settings;
import io.blockferry.source.CephCluster;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncRequest;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

/**
 * The quick-start demo: a volume with data, zeros and holes on the local Ceph, a full sync, a
 * change of about 10%, an incremental sync, and a checksum comparison of source and target.
 */
public final class Demo {

    static final String POOL = "volumes";
    static final String IMAGE = "blockferry-demo";
    static final long SIZE = (1L << 30) + (3L << 19); // 1 GiB + 1.5 MiB: not a multiple of the chunk size
    private static final int BLOCK = 4 << 20;

    private final Settings settings;
    private final PrintStream out;

    public Demo(Settings settings, PrintStream out) {
        this.settings = DemoImages.isolated(settings, "demo");
        this.out = out;
    }

    public boolean run() throws IOException, RbdException {
        DemoImages.wipe(Path.of(settings.text("blockferry.data-dir")));
        try (BlockferryRuntime runtime = BlockferryRuntime.start(settings)) {
            CephCluster ceph = runtime.ceph();
            String volume = POOL + "/" + IMAGE;
            createDemoImage(ceph.rbd(POOL));
            out.printf("%nCreated %s: %d bytes with random data, all-zero blocks and holes.%n", volume, SIZE);

            GenerationReport full = syncAndReport(runtime, volume, "Full sync");
            DemoImages.changeTenPercent(ceph.rbd(POOL), IMAGE, SIZE, 256 << 10, 7);
            GenerationReport incremental = syncAndReport(runtime, volume, "Incremental sync");

            Path replica = runtime.writer().repository().replica(volume);
            String source = Checksums.sha256(ceph, POOL, IMAGE, incremental.snapshot(), SIZE);
            String target = Checksums.sha256(replica);
            out.printf("%nSource %s@%s sha256 %s%n", volume, incremental.snapshot(), source);
            out.printf("Target %s sha256 %s%n", replica.toAbsolutePath(), target);
            boolean match = source.equals(target);
            out.println(match ? "MATCH: the target is bit-identical to the source snapshot."
                    : "MISMATCH: the target differs from the source snapshot.");
            out.printf("Recovery points (rbd export-diff files, restorable with 'rbd import-diff'): %s%n",
                    replica.resolveSibling("points").toAbsolutePath());
            out.printf("The incremental sent %.1f%% of the data bytes of the full sync.%n",
                    100.0 * incremental.dataBytes() / Math.max(1, full.dataBytes()));
            return match;
        }
    }

    private GenerationReport syncAndReport(BlockferryRuntime runtime, String volume, String title) {
        GenerationReport report = runtime.sync(SyncRequest.incremental(volume, "demo"));
        report.awaitCommitted(Duration.ofMinutes(10));
        double seconds = report.secondsSinceStart();
        out.printf("%n%s (%s, cause: %s) of generation %d, acked by the target:%n", title,
                report.mode().name().toLowerCase(), report.cause(), report.generation());
        out.printf("  sent %d data chunks, %.1f MiB; skipped %d zero chunks (%.1f MiB) without payload%n",
                report.dataChunks(), report.dataBytes() / 1048576.0, report.zeroChunks(),
                report.zeroBytes() / 1048576.0);
        out.printf("  %.2f s, %.1f MB/s of data sent (holes are never read)%n", seconds,
                report.dataBytes() / 1e6 / seconds);
        return report;
    }

    private static void createDemoImage(Rbd rbd) throws RbdException {
        DemoImages.recreate(rbd, IMAGE, SIZE);
        RbdImage image = rbd.open(IMAGE);
        try {
            Random random = new Random(42);
            byte[] data = new byte[BLOCK];
            byte[] zeros = new byte[BLOCK];
            for (long offset = 0; offset < SIZE; offset += BLOCK) {
                int length = (int) Math.min(BLOCK, SIZE - offset);
                int kind = random.nextInt(10);
                if (kind < 6) {
                    random.nextBytes(data);
                    image.write(data, offset, length);
                } else if (kind < 7) {
                    image.write(zeros, offset, length);
                }
            }
        } finally {
            rbd.close(image);
        }
    }
}
