package io.blockferry;

import io.blockferry.config.Settings;
import io.blockferry.transport.EmbeddedKafkaBroker;
import io.blockferry.transport.KafkaTuning;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code blockferry broker}: the single-node KRaft broker of the embedded mode, from the same jars,
 * in a JVM of its own until SIGTERM or Ctrl-C. A production site runs its own Kafka; this is for a
 * site that wants the broker out of the proxy's heap and cores without installing one, and for the
 * benchmark's out-of-process runs.
 */
public final class StandaloneBroker {

    /** The line a supervisor (the benchmark) waits for; the bootstrap address follows it. */
    public static final String READY = "blockferry broker: ready at ";

    private StandaloneBroker() {
    }

    public static void run(Settings settings, PrintStream out) throws InterruptedException {
        Path dir = settings.path("blockferry.broker.dir");
        io.blockferry.store.OwnerOnly.ensureDirectories(dir);
        io.blockferry.store.OwnerOnly.tighten(dir);
        // Sized for the chunk topic's batches, not its chunks: the producer sends batch-size at once.
        int maxMessageBytes = KafkaTuning.from(settings).maxMessageBytes();
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, settings.text("blockferry.broker.host"),
                settings.integer("blockferry.broker.port"), settings.integer("blockferry.broker.controller-port"),
                maxMessageBytes, EmbeddedKafkaBroker.Listener.from(settings, "blockferry.broker."));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            out.println("blockferry broker: stopped");
            out.flush();
            stopped.countDown();
        }, "blockferry-broker-shutdown"));
        out.println(READY + broker.bootstrapServers());
        out.printf("  log in %s, message.max.bytes %d; set blockferry.kafka.bootstrap-servers=%s in the proxies; "
                + "Ctrl-C or SIGTERM stops it%n", dir.toAbsolutePath(), maxMessageBytes, broker.bootstrapServers());
        out.flush();
        stopped.await();
    }
}
