package io.blockferry.demo;

import io.blockferry.config.Settings;
import io.blockferry.demo.BenchOptions.BrokerMode;
import io.blockferry.transport.KafkaTuning;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * {@code blockferry benchmark}: Blockferry against {@code rbd export-diff | rbd import-diff} and
 * against a Kafka-only stage, for one volume (full cold and warm, incremental), scattered small
 * writes, and four volumes at once, with the broker in this JVM and in a child JVM. Prints every
 * row, the ratios and the bars, and checks every replica against its source; BENCHMARKS.md
 * says what each row measures.
 */
public final class Benchmark {

    private final Settings settings;
    private final BenchOptions options;
    private final PrintStream out;

    public Benchmark(Settings settings, List<String> args, PrintStream out) {
        this.settings = settings;
        this.options = BenchOptions.parse(args, System.getenv());
        this.out = out;
    }

    /** The usage of the benchmark's options, for the command's usage message. */
    public static String usage() {
        return BenchOptions.USAGE;
    }

    /** Runs everything the options ask for; returns the exit code (see {@link Results}). */
    public int run() throws Exception {
        Results results = new Results();
        Path oomDir = Path.of(settings.text("blockferry.data-dir"), "bench", "oom");
        try (Cleanup cleanup = new Cleanup()) {
            HeapWatch heap = HeapWatch.start();
            cleanup.add("heap sampler", heap::stop);
            OutOfMemoryWatch oom = cleanup.add("OutOfMemoryError watch", OutOfMemoryWatch.install(oomDir));
            BenchImages images = cleanup.add("benchmark images", BenchImages.connect(settings));
            header();
            RowRunner rows = new RowRunner(new Meter(heap), oom, results, out);
            ModeRun modes = new ModeRun(settings, options, images, rows, oom, results, cleanup, out);
            boolean first = true;
            for (BrokerMode mode : options.brokers()) {
                try {
                    modes.run(mode, first);
                } catch (Exception | Error e) {
                    results.failed("broker " + mode.label + ": " + e);
                    out.printf("[%s] FAILED: %s%n", mode.key(), e);
                }
                first = false;
            }
            cleanup.closeAll().forEach(results::failed);
        }
        try {
            Files.deleteIfExists(oomDir.getParent()); // data/bench, when the modes left nothing in it
        } catch (DirectoryNotEmptyException e) {
            // a mode kept its data directory as evidence
        }
        ResultTable.print(results, options, out);
        return results.exitCode();
    }

    private void header() {
        KafkaTuning t = KafkaTuning.from(settings);
        var runtime = ManagementFactory.getRuntimeMXBean();
        out.printf(Locale.ROOT, "Blockferry benchmark, %s%n", Instant.now().truncatedTo(ChronoUnit.SECONDS));
        out.printf(Locale.ROOT, "  images of %d MiB; parts %s; broker %s; images named %s*%n", options.size() >> 20,
                options.parts().stream().map(p -> p.name().toLowerCase(Locale.ROOT)).toList(),
                options.brokers().stream().map(b -> b.label).toList(), options.imagePrefix());
        out.printf(Locale.ROOT, "  JVM %s %s, %d CPUs, max heap %d MiB, options %s; GC beans: %s%n",
                runtime.getVmName(), runtime.getVmVersion(), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, runtime.getInputArguments(), GcMeter.collectors());
        out.printf(Locale.ROOT, "  chunk size %s; chunk topic tuning: record %d, batch %d, linger %d ms, producer "
                        + "buffer %d, fetch %d, %s; out-of-process broker JVM %s%n",
                settings.text("blockferry.source.chunk-size"), t.recordBytes(), t.batchBytes(), t.lingerMs(),
                t.producerBuffer(), t.fetchBytes(), t.compression(), options.brokerJavaOpts());
        out.printf(Locale.ROOT, "  load average %.2f%n", LoadAverage.oneMinute());
    }
}
