package io.blockferry.demo;

import com.ceph.rbd.Rbd;
import com.ceph.rbd.RbdException;
import com.ceph.rbd.RbdImage;
import io.blockferry.BlockferryRuntime;
import io.blockferry.config.Settings;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncRequest;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * Measures Blockferry against {@code rbd export-diff | rbd import-diff} on the same image in the
 * same run: a full sync of an image with 25% holes, then an incremental after 10% scattered
 * change. Prints MB/s of each and the ratios, and the peak heap of this process.
 */
public final class Benchmark {

    private static final String POOL = "volumes";
    private static final String IMAGE = "blockferry-bench";
    private static final String COPY = "blockferry-bench-copy";
    private static final int BLOCK = 4 << 20;

    private final Settings settings;
    private final long size;
    private final PrintStream out;

    public Benchmark(Settings settings, long size, PrintStream out) {
        this.settings = DemoImages.isolated(settings, "bench");
        this.size = size;
        this.out = out;
    }

    public void run() throws IOException, RbdException, InterruptedException {
        DemoImages.wipe(Path.of(settings.text("blockferry.data-dir")));
        HeapWatch heap = HeapWatch.start();
        try (BlockferryRuntime runtime = BlockferryRuntime.start(settings)) {
            Rbd rbd = runtime.ceph().rbd(POOL);
            RbdCli cli = new RbdCli(settings);
            DemoImages.recreate(rbd, IMAGE, size);
            DemoImages.recreate(rbd, COPY, size);
            long written = fillWithHoles(rbd);
            out.printf("Image %s/%s: %d MiB, %d MiB random data, %d%% holes; chunk size %s%n", POOL, IMAGE,
                    size >> 20, written >> 20, 100 - 100 * written / size, settings.text("blockferry.source.chunk-size"));

            cli.run("snap", "create", POOL + "/" + IMAGE + "@base-1");
            double baseFull = cli.timed("export-diff " + POOL + "/" + IMAGE + "@base-1 - | rbd import-diff - "
                    + POOL + "/" + COPY);
            heap.reset();
            Result full = sync(runtime);
            long fullHeap = heap.peak();

            DemoImages.changeTenPercent(rbd, IMAGE, size, 64 << 10, 2);
            cli.run("snap", "create", POOL + "/" + IMAGE + "@base-2");
            double baseIncr = cli.timed("export-diff --from-snap base-1 " + POOL + "/" + IMAGE + "@base-2 - | "
                    + "rbd import-diff - " + POOL + "/" + COPY);
            heap.reset();
            Result incr = sync(runtime);
            long incrHeap = heap.peak();

            String verified = Checksums.sha256(runtime.ceph(), POOL, IMAGE, incr.snapshot, size)
                    .equals(Checksums.sha256(runtime.writer().repository().replica(POOL + "/" + IMAGE)))
                    ? "target matches source" : "TARGET DIFFERS FROM SOURCE";
            out.println();
            out.printf("%-12s %10s %12s %10s %12s %8s %14s%n", "run", "data MiB", "blockferry s", "MB/s",
                    "baseline s", "MB/s", "ratio bf/base");
            row("full", full, baseFull);
            row("incremental", incr, baseIncr);
            out.printf("%nPeak heap used (sampled): full %d MiB, incremental %d MiB, max heap %d MiB; %s%n",
                    fullHeap >> 20, incrHeap >> 20, Runtime.getRuntime().maxMemory() >> 20, verified);
            DemoImages.removeWithSnapshots(rbd, COPY);
            DemoImages.removeWithSnapshots(rbd, IMAGE);
        } finally {
            heap.stop();
        }
    }

    private record Result(long dataBytes, double seconds, String snapshot) {
    }

    private Result sync(BlockferryRuntime runtime) {
        GenerationReport report = runtime.sync(SyncRequest.incremental(POOL + "/" + IMAGE, "benchmark"));
        report.awaitCommitted(Duration.ofHours(1));
        return new Result(report.dataBytes(), report.secondsSinceStart(), report.snapshot());
    }

    private void row(String name, Result bf, double baseline) {
        double mb = bf.dataBytes / 1e6;
        out.printf("%-12s %10.0f %12.2f %10.1f %12.2f %8.1f %14.2f%n", name, bf.dataBytes / 1048576.0, bf.seconds,
                mb / bf.seconds, baseline, mb / baseline, baseline / bf.seconds);
    }

    /** Random data in three of every four 4 MiB blocks, chosen at random; the rest stay holes. */
    private long fillWithHoles(Rbd rbd) throws RbdException {
        RbdImage image = rbd.open(IMAGE);
        long written = 0;
        try {
            Random random = new Random(1);
            byte[] block = new byte[BLOCK];
            for (long offset = 0; offset < size; offset += BLOCK) {
                if (random.nextInt(4) != 0) {
                    random.nextBytes(block);
                    int length = (int) Math.min(BLOCK, size - offset);
                    image.write(block, offset, length);
                    written += length;
                }
            }
        } finally {
            rbd.close(image);
        }
        return written;
    }

    /** The stock rbd CLI as client.admin on the same cluster. */
    private static final class RbdCli {
        private final String conf;

        RbdCli(Settings settings) {
            this.conf = settings.text("blockferry.ceph.conf");
        }

        void run(String... args) throws IOException, InterruptedException {
            List<String> command = new java.util.ArrayList<>(List.of("rbd", "--conf", conf, "--id", "admin"));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IOException("rbd " + String.join(" ", args) + " failed");
            }
        }

        /** Runs "rbd ARGS" (a shell pipeline, each rbd as client.admin) and returns its seconds. */
        double timed(String pipeline) throws IOException, InterruptedException {
            String rbd = "rbd --conf " + conf + " --id admin --no-progress ";
            String shell = rbd + pipeline.replace("rbd import-diff", rbd + "import-diff");
            long start = System.nanoTime();
            Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", shell).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IOException("baseline failed: " + shell);
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }
}
