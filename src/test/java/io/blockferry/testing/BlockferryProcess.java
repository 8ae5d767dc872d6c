package io.blockferry.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code blockferry run} in its own JVM, for tests that kill it: configured through the
 * environment as an operator would, on the local Ceph and a Kafka the test runs (so the broker
 * outlives the process), with the REST API on a free port. {@link #kill()} is a {@code kill -9};
 * a crash point ({@code -Dblockferry.crash-at}) makes the process halt by itself at a step.
 */
public final class BlockferryProcess implements AutoCloseable {

    public static final String TOKEN = "test-token-0123456789abcdef";

    private final Process process;
    private final Path log;
    private final int port;
    private final ApiClient api;

    /** Every process a test started: none outlives the test JVM, even when a test fails before closing it. */
    private static final java.util.Set<Process> STARTED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.forEach(Process::destroyForcibly)));
    }

    private BlockferryProcess(Process process, Path log, int port) {
        STARTED.add(process);
        this.process = process;
        this.log = log;
        this.port = port;
        this.api = new ApiClient(port, TOKEN);
    }

    /**
     * Starts Blockferry and waits until its API answers (or it halted at its crash point).
     *
     * @param crashAt a fault point's id, or null
     * @param heap    the JVM's -Xmx, such as "256m"
     */
    public static BlockferryProcess start(Path dataDir, String bootstrapServers, Map<String, String> settings,
                                          String crashAt, String heap) {
        return launch(classPath(), null, dataDir, bootstrapServers, settings, crashAt, heap);
    }

    /**
     * Starts an earlier release, built as {@code releaseDir/blockferry.jar} with its own
     * {@code releaseDir/application.properties}, on today's dependency jars.
     */
    public static BlockferryProcess startRelease(Path releaseDir, Path dataDir, String bootstrapServers,
                                                 Map<String, String> settings) {
        List<String> entries = new ArrayList<>(List.of(releaseDir.resolve("blockferry.jar").toAbsolutePath().toString()));
        entries.addAll(dependencies());
        return launch(String.join(java.io.File.pathSeparator, entries),
                releaseDir.resolve("application.properties").toAbsolutePath(), dataDir, bootstrapServers, settings,
                null, "512m");
    }

    private static BlockferryProcess launch(String classPath, Path configFile, Path dataDir, String bootstrapServers,
                                            Map<String, String> settings, String crashAt, String heap) {
        int port = TestRuntimes.freePort();
        Map<String, String> config = new HashMap<>();
        config.put("blockferry.data-dir", dataDir.toString());
        config.put("blockferry.ceph.conf", LocalCeph.conf().toString());
        config.put("blockferry.ceph.id", "blockferry");
        config.put("blockferry.ceph.keyring", LocalCeph.keyring().toString());
        // no bootstrap servers: the process runs its own embedded broker, as the demo does
        config.put("blockferry.kafka.bootstrap-servers", bootstrapServers == null ? "" : bootstrapServers);
        config.put("blockferry.kafka.embedded.port", "0");
        config.put("blockferry.kafka.embedded.controller-port", "0");
        config.put("blockferry.kafka.partitions", "2");
        config.put("blockferry.source.volumes", "");
        config.put("blockferry.api.token", TOKEN);
        config.put("camel.server.enabled", "true");
        config.put("camel.server.port", Integer.toString(port));
        config.put("camel.management.enabled", "false");
        config.putAll(settings);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx" + heap, "-cp", classPath));
        if (crashAt != null) {
            command.add("-Dblockferry.crash-at=" + crashAt);
        }
        command.addAll(List.of("io.blockferry.Blockferry", "run"));
        ProcessBuilder builder = new ProcessBuilder(command);
        if (configFile != null) {
            builder.environment().put("BLOCKFERRY_CONFIG", configFile.toString());
        }
        config.forEach((k, v) -> builder.environment().put(k.toUpperCase(Locale.ROOT).replace('.', '_')
                .replace('-', '_'), v));
        Path log = dataDir.resolve("process-" + System.nanoTime() + ".log");
        try {
            Files.createDirectories(dataDir);
            builder.redirectErrorStream(true).redirectOutput(log.toFile());
            BlockferryProcess started = new BlockferryProcess(builder.start(), log, port);
            started.awaitApi();
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String classPath;

    /**
     * The test's class path with Blockferry's own classes as a jar, as {@code bin/blockferry} runs
     * them: from class directories, Camel finds each route file twice (once per class loader that
     * sees the directory) and refuses the duplicate ids.
     */
    private static synchronized String classPath() {
        if (classPath == null) {
            Path classes = Path.of("target", "classes").toAbsolutePath();
            Path jar = Path.of("target", "blockferry-process-test.jar").toAbsolutePath();
            try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar));
                 var files = Files.walk(classes)) {
                // directories get entries too: class loaders find a package's resources through them
                for (Path file : files.filter(f -> !f.equals(classes)).sorted().toList()) {
                    String name = classes.relativize(file).toString().replace('\\', '/');
                    boolean dir = Files.isDirectory(file);
                    out.putNextEntry(new java.util.jar.JarEntry(dir ? name + "/" : name));
                    if (!dir) {
                        Files.copy(file, out);
                    }
                    out.closeEntry();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot package " + classes + " for a Blockferry process", e);
            }
            List<String> entries = new ArrayList<>(List.of(jar.toString()));
            entries.addAll(dependencies());
            classPath = String.join(java.io.File.pathSeparator, entries);
        }
        return classPath;
    }

    /** The test class path's jars: Blockferry's dependencies, without its own (and the tests') classes. */
    private static List<String> dependencies() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!Path.of(entry).toAbsolutePath().startsWith(Path.of("target").toAbsolutePath())) {
                entries.add(entry);
            }
        }
        return entries;
    }

    private void awaitApi() {
        Await.until(() -> !process.isAlive() || answers(), ok -> ok, Duration.ofSeconds(90),
                "Blockferry's API on port " + port + " (log " + log + ")");
        if (!process.isAlive()) {
            throw new AssertionError("Blockferry stopped while starting (exit " + process.exitValue() + "): "
                    + logTail());
        }
    }

    private boolean answers() {
        try {
            // the recent events are served whatever the roles (the volumes by a source, and by earlier
            // releases, which had no events endpoint); before the routes start the server answers 404.
            // Camel registers each REST route as its consumer starts, so the others may still answer
            // 404 until the context has started them all.
            return (api.get("/api/events").status() == 200 || api.get("/api/volumes").status() == 200)
                    && log().contains(") started in ");
        } catch (RuntimeException e) {
            return false;
        }
    }

    public ApiClient api() {
        return api;
    }

    /** The port of its REST API. */
    /** Runs a CLI command against this process; its output, after checking that it exited 0. */
    public String cli(String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int code = io.blockferry.ops.cli.Cli.connect("http://127.0.0.1:" + port, TOKEN,
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8)).execute(args);
        String text = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        org.junit.jupiter.api.Assertions.assertEquals(0, code, String.join(" ", args) + ": " + text);
        return text;
    }

    public int port() {
        return port;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Waits for the process to end by itself (at its crash point); returns its exit code. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("Blockferry did not stop within " + timeout.toSeconds() + " s; log: "
                        + logTail());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** kill -9: nothing is flushed, no shutdown hook runs. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /** The volume as the source's API shows it. */
    public JsonNode volume(String volumeId) {
        return api.get("/api/volumes/" + volumeId).body();
    }

    /** Waits until the volume's generation {@code atLeast} (or a later one) is its acked base and nothing is in flight. */
    public JsonNode awaitSettled(String volumeId, long atLeast, Duration timeout) {
        return Await.until(() -> volume(volumeId), v -> v.path("baseGeneration").asLong() >= atLeast
                        && v.path("pendingGeneration").isNull() && api.get("/api/tasks").body().path("running").isEmpty(),
                timeout, volumeId + " acked at generation " + atLeast + " with nothing in flight (log: " + logTail() + ")");
    }

    /** Asks for a sync; a process that halts at its crash point before it answers must have exited 137. */
    public void requestSync(String volumeId, String mode, Duration timeout) {
        try {
            int status = api.post("/api/volumes/" + volumeId + "/sync?mode=" + mode).status();
            if (status != 202) {
                throw new AssertionError("sync of " + volumeId + " answered " + status + ", not 202");
            }
        } catch (java.io.UncheckedIOException e) {
            if (alive() && awaitExit(timeout) != 137) {
                throw new AssertionError("the process went away, but not at its crash point: " + logTail(), e);
            }
        }
    }

    /** The generations of points as {@link #points} answers them, oldest first. */
    public static List<Long> generations(JsonNode points) {
        List<Long> generations = new ArrayList<>();
        points.forEach(p -> generations.add(p.get("generation").asLong()));
        return generations;
    }

    /** The target's recovery points of the volume, oldest first. */
    public JsonNode points(String volumeId) {
        return api.get("/api/volumes/" + volumeId + "/points").body();
    }

    public String logTail() {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.substring(Math.max(0, text.length() - 4000));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the process as an operator would (SIGTERM), waiting for it to finish. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
