package io.blockferry.demo;

import io.blockferry.Blockferry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Target writers sharing one repository ({@code blockferry.target.work-sharing=kafka}) as child
 * JVMs of the benchmark: the same java and classpath, the benchmark's configuration file and
 * environment with the writer's own keys on top, each with a data directory and a log of its own
 * and no API. Closing stops them with SIGTERM (a kill if one has not gone within 30 s).
 */
final class WriterProcesses implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofMinutes(2);
    private static final String READY = "This writer owns chunk partitions";

    private final List<Process> processes = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();

    /**
     * Starts {@code count} writers with {@code settings} (keys as in application.properties) and
     * waits until each has been given chunk partitions.
     */
    static WriterProcesses start(int count, Path dir, Map<String, String> settings, List<String> javaOptions)
            throws IOException, InterruptedException {
        WriterProcesses writers = new WriterProcesses();
        try {
            for (int i = 0; i < count; i++) {
                Path data = dir.resolve("writer-" + i);
                Files.createDirectories(data);
                List<String> command = new ArrayList<>();
                command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                command.addAll(javaOptions);
                command.addAll(List.of("-cp", System.getProperty("java.class.path"), Blockferry.class.getName(), "run"));
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
                Path log = data.resolve("writer.log");
                builder.redirectOutput(log.toFile());
                settings.forEach((k, v) -> builder.environment().put(variable(k), v));
                builder.environment().put(variable("blockferry.data-dir"), data.toAbsolutePath().toString());
                writers.processes.add(builder.start());
                writers.logs.add(log);
            }
            writers.awaitPartitions();
            return writers;
        } catch (IOException | InterruptedException | RuntimeException e) {
            writers.close();
            throw e;
        }
    }

    private static String variable(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private void awaitPartitions() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        for (int i = 0; i < processes.size(); i++) {
            while (!Files.readString(logs.get(i)).contains(READY)) {
                if (!processes.get(i).isAlive()) {
                    throw new IOException("writer " + i + " exited while starting: see " + logs.get(i).toAbsolutePath());
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("writer " + i + " was not given chunk partitions within "
                            + READY_TIMEOUT.toSeconds() + " s: see " + logs.get(i).toAbsolutePath());
                }
                Thread.sleep(200);
            }
        }
    }

    /** How many generations each writer committed, from their logs (the work's spread). */
    List<Integer> commits() throws IOException {
        List<Integer> counts = new ArrayList<>();
        for (Path log : logs) {
            counts.add(Files.readString(log).split(" committed: ", -1).length - 1);
        }
        return counts;
    }

    /**
     * The CPU time (user and system, from the operating system) each writer has used so far, in
     * seconds: with {@link #commits} it tells whether more writers cost more CPU for the same data.
     */
    List<Double> cpuSeconds() {
        return processes.stream().map(p -> cpuSeconds(p.toHandle())).toList();
    }

    /** The CPU time a process has used so far, in seconds (NaN where the system does not tell). */
    static double cpuSeconds(ProcessHandle process) {
        return process.info().totalCpuDuration().map(d -> d.toMillis() / 1000.0).orElse(Double.NaN);
    }

    @Override
    public void close() throws InterruptedException {
        processes.forEach(Process::destroy);
        for (Process p : processes) {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
