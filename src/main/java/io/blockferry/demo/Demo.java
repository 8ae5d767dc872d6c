package io.blockferry.demo;

import io.blockferry.BlockferryRuntime;
import io.blockferry.config.Settings;
import io.blockferry.ceph.CephCluster;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncProgress;
import io.blockferry.source.SyncRequest;
import io.blockferry.transport.GenerationAck;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The quick-start demo: a volume with data, zeros and holes on the local Ceph, a full sync, a
 * change of about 10%, an incremental sync, and a checksum comparison of source and target. The
 * terminal shows the steps, a progress bar per sync and the verdict; the logs go to a file.
 */
public final class Demo {

    static final String POOL = "volumes";
    static final String IMAGE = "blockferry-demo";
    static final long SIZE = (1L << 30) + (3L << 19); // 1 GiB + 1.5 MiB: not a multiple of the chunk size
    private static final int BLOCK = 4 << 20;
    private static final int STEPS = 6;

    private final Settings settings;
    private final PrintStream out;
    private int step;
    private long stepStarted;

    public Demo(Settings settings, PrintStream out) {
        this.settings = DemoImages.isolated(settings, "demo");
        this.out = out;
    }

    public boolean run() throws IOException {
        Path dataDir = Path.of(settings.text("blockferry.data-dir")).toAbsolutePath();
        DemoImages.wipe(dataDir);
        Path logFile = dataDir.resolve("demo.log");
        out.printf("Blockferry demo. The logs go to %s%n%n", logFile);
        String volume = POOL + "/" + IMAGE;
        String source;
        String target;
        Path replica;
        GenerationReport full;
        GenerationReport incremental;
        try (DemoLog log = DemoLog.to(logFile)) {
            begin("Starting Blockferry: an embedded Kafka, the source and the target in this process");
            try (BlockferryRuntime runtime = BlockferryRuntime.start(settings)) {
                done();
                CephCluster ceph = runtime.ceph();
                begin("Creating " + volume + " on the local Ceph: 1 GiB + 1.5 MiB of random data, all-zero "
                        + "blocks and holes");
                createDemoImage(new io.blockferry.ceph.RbdImages(ceph, POOL));
                done();
                full = sync(runtime, volume, "Full sync of " + volume);
                begin("Changing about 10% of the volume");
                DemoImages.changeTenPercent(new io.blockferry.ceph.RbdImages(ceph, POOL), IMAGE, SIZE, 256 << 10, 7);
                done();
                incremental = sync(runtime, volume, "Incremental sync of " + volume);
                begin("Comparing the SHA-256 of the source snapshot and of the target's replica");
                replica = runtime.writer().repository().replica(volume).toAbsolutePath();
                source = Checksums.sha256(ceph, POOL, IMAGE, incremental.snapshot(), SIZE);
                target = Checksums.sha256(replica);
                done();
                out.printf("    source %s@%s  %s%n", volume, incremental.snapshot(), source);
                out.printf("    target %s  %s%n", replica, target);
                out.print("Stopping Blockferry ... ");
                stepStarted = System.nanoTime();
            }
            out.printf("done (%.1f s)%n", (System.nanoTime() - stepStarted) / 1e9);
        }
        boolean match = source.equals(target);
        out.println();
        out.println(match ? "MATCH: the target is bit-identical to the source snapshot."
                : "MISMATCH: the target differs from the source snapshot.");
        out.printf(Locale.ROOT, "The incremental sent %.1f%% of the data bytes of the full sync.%n",
                100.0 * incremental.dataBytes() / Math.max(1, full.dataBytes()));
        out.printf("Recovery points (rbd export-diff files, restorable with 'rbd import-diff'): %s%n",
                replica.resolveSibling("points"));
        out.printf("Logs: %s%n", logFile);
        return match;
    }

    private void begin(String what) {
        out.printf("%d/%d %s ... ", ++step, STEPS, what);
        out.flush();
        stepStarted = System.nanoTime();
    }

    private void done() {
        out.printf(Locale.ROOT, "done (%.1f s)%n", (System.nanoTime() - stepStarted) / 1e9);
    }

    /** One sync with its progress bar, then the target's ack and what the generation sent. */
    private GenerationReport sync(BlockferryRuntime runtime, String volume, String title) {
        out.printf("%d/%d %s%n", ++step, STEPS, title);
        ProgressBar bar = new ProgressBar(out, System.console() != null);
        ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "demo-progress");
            t.setDaemon(true);
            return t;
        });
        watch.scheduleAtFixedRate(() -> {
            for (SyncProgress.Snapshot s : runtime.progress().running()) {
                if (s.volumeId().equals(volume)) {
                    bar.show(s.bytesDone(), s.bytesTotal(), s.megabytesPerSecond());
                }
            }
        }, 0, 200, TimeUnit.MILLISECONDS);
        GenerationReport report;
        try {
            report = runtime.sync(SyncRequest.incremental(volume, "demo"));
        } finally {
            watch.shutdownNow();
            awaitQuietly(watch);
        }
        bar.finish(report.dataBytes() + report.zeroBytes(), report.secondsSinceStart());
        GenerationAck ack = report.awaitCommitted(Duration.ofMinutes(10));
        out.printf(Locale.ROOT, "    generation %d (%s, cause: %s) committed and acked by the target, %.1f s after "
                        + "its first read%n", ack.generation(), report.mode().name().toLowerCase(Locale.ROOT),
                report.cause(), report.secondsSinceStart());
        out.printf(Locale.ROOT, "    sent %d data chunks (%.1f MiB); %d zero chunks (%.1f MiB) went without payload; "
                        + "holes were never read%n", report.dataChunks(), report.dataBytes() / 1048576.0,
                report.zeroChunks(), report.zeroBytes() / 1048576.0);
        return report;
    }

    private static void awaitQuietly(ScheduledExecutorService watch) {
        try {
            watch.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void createDemoImage(io.blockferry.ceph.RbdImages rbd) {
        DemoImages.recreate(rbd, IMAGE, SIZE);
        rbd.write(IMAGE, image -> {
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
        });
    }
}
