package io.blockferry.demo;

import io.blockferry.config.Settings;
import io.blockferry.demo.Row.Kind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Six volumes synced at once (full) to one, two and three target writers sharing a repository
 * (child JVMs, {@code blockferry.target.work-sharing=kafka}) from a source-only runtime in this
 * JVM, on the out-of-process broker. Each round has topics, a writer group and a repository of
 * its own; the rate is all six volumes' data over the wall time from the first request to the
 * last ack. On one machine the writers share its cores, so the figure says whether throughput
 * holds as writers are added, not how it scales across machines.
 */
final class WritersPart {

    static final int VOLUMES = 6;
    private static final List<Kind> ROWS = List.of(Kind.WRITERS_1, Kind.WRITERS_2, Kind.WRITERS_3);
    private static final List<String> TOPICS = List.of("chunk", "ack", "event", "dead-letter", "request", "metadata",
            "sums", "task", "source-state");

    private WritersPart() {
    }

    private static List<String> since(List<Double> before, List<Double> now) {
        List<String> used = new ArrayList<>();
        for (int i = 0; i < now.size(); i++) {
            used.add(String.format(java.util.Locale.ROOT, "%.1f", now.get(i) - before.get(i)));
        }
        return used;
    }

    static void run(BenchContext c, Settings runtimeSettings, Path dir) throws Exception {
        long size = c.options().size() / 4;
        for (int n = 1; n <= ROWS.size(); n++) {
            Path round = dir.resolve("writers-" + n);
            Map<String, String> shared = new HashMap<>();
            String prefix = "bench-writers-" + n + "-" + System.nanoTime();
            TOPICS.forEach(t -> shared.put("blockferry.kafka." + t + "-topic", prefix + "." + t));
            shared.put("blockferry.kafka.target-group", prefix + "-writers");
            shared.put("blockferry.kafka.partitions", "6");
            shared.put("blockferry.kafka.bootstrap-servers", runtimeSettings.text("blockferry.kafka.bootstrap-servers"));
            shared.put("blockferry.target.repository-dir", round.resolve("repository").toAbsolutePath().toString());
            Map<String, String> writer = new HashMap<>(shared);
            writer.put("blockferry.roles", "target");
            writer.put("blockferry.site", "bench-dr");
            writer.put("blockferry.target.work-sharing", "kafka");
            writer.put("blockferry.target.replica", "file");
            writer.put("camel.server.enabled", "false");
            writer.put("camel.management.enabled", "false");
            Settings source = runtimeSettings.with("blockferry.roles", "source")
                    .with("blockferry.data-dir", round.resolve("source").toAbsolutePath().toString());
            for (Map.Entry<String, String> e : shared.entrySet()) {
                source = source.with(e.getKey(), e.getValue());
            }
            List<String> images = new ArrayList<>();
            long written = 0;
            try {
                for (int i = 1; i <= VOLUMES; i++) {
                    String image = c.image("-writers-" + n + "-" + i);
                    images.add(image);
                    written += c.images().createWithHoles(image, size, 40 + i);
                }
                c.say("writers: %d images of %d MiB, %d MiB of random data, to %d writer(s)", VOLUMES, size >> 20,
                        written >> 20, n);
                try (WriterProcesses writers = WriterProcesses.start(n, round, writer, List.of("-Xmx512m"));
                     BenchRuntime runtime = BenchRuntime.start(source, c.options().stall())) {
                    BenchContext here = c.with(runtime);
                    double sourceCpuBefore = WriterProcesses.cpuSeconds(ProcessHandle.current());
                    List<Double> writersCpuBefore = writers.cpuSeconds();
                    List<SyncRows> syncs = images.stream().map(i -> new SyncRows(here)).toList();
                    List<Long> sent = new ArrayList<>(images.stream().map(i -> 0L).toList());
                    here.row(ROWS.get(n - 1), a -> FourPart.syncAll(here, images, syncs, sent, a));
                    for (int i = 0; i < images.size(); i++) {
                        syncs.get(i).verify(images.get(i), size);
                    }
                    c.say("writers: generations committed by each writer %s; CPU seconds from the requests to the"
                            + " checks' end: each writer %s, this JVM (the source, the checks) %.1f",
                            writers.commits(), since(writersCpuBefore, writers.cpuSeconds()),
                            WriterProcesses.cpuSeconds(ProcessHandle.current()) - sourceCpuBefore);
                }
            } finally {
                images.forEach(i -> c.images().removeIfFree(i));
            }
        }
    }
}
