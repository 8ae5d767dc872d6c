package io.blockferry.demo;

import io.blockferry.Blockferry;
import io.blockferry.StandaloneBroker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code blockferry broker} as a child JVM: the same java, jar and classpath as this process, free
 * ports, a data directory of its own, its output in {@code broker.log} there. Closing it sends
 * SIGTERM (the broker shuts down cleanly) and kills it if it has not gone within 30 s.
 */
final class BrokerProcess implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private final Process process;
    private final String bootstrapServers;
    private final Path log;

    private BrokerProcess(Process process, String bootstrapServers, Path log) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.log = log;
    }

    static BrokerProcess start(Path dir, List<String> javaOptions) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path log = dir.resolve("broker.log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Blockferry.class.getName(), "broker"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("BLOCKFERRY_BROKER_HOST", "127.0.0.1");
        env.put("BLOCKFERRY_BROKER_PORT", "0");
        env.put("BLOCKFERRY_BROKER_CONTROLLER_PORT", "0");
        env.put("BLOCKFERRY_BROKER_DIR", dir.resolve("kafka").toAbsolutePath().toString());
        Process process = builder.start();
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread pump = new Thread(() -> copyOutput(process, log, ready), "bench-broker-output");
        pump.setDaemon(true);
        pump.start();
        try {
            String bootstrap = ready.get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return new BrokerProcess(process, bootstrap, log);
        } catch (ExecutionException | TimeoutException e) {
            stop(process);
            throw new IOException("the out-of-process broker did not become ready (" + String.join(" ", command)
                    + "): see " + log.toAbsolutePath(), e);
        }
    }

    /** Keeps the broker's output in its log, and completes {@code ready} with the address it prints. */
    private static void copyOutput(Process process, Path log, CompletableFuture<String> ready) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter file = new PrintWriter(Files.newBufferedWriter(log), true)) {
            for (String line; (line = in.readLine()) != null; ) {
                file.println(line);
                if (line.startsWith(StandaloneBroker.READY)) {
                    ready.complete(line.substring(StandaloneBroker.READY.length()).trim());
                }
            }
        } catch (IOException e) {
            ready.completeExceptionally(e);
        }
        ready.completeExceptionally(new IOException("the broker exited before it was ready"));
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    @Override
    public void close() throws InterruptedException {
        stop(process);
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
