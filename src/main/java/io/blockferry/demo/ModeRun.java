package io.blockferry.demo;

import io.blockferry.config.Settings;
import io.blockferry.demo.BenchOptions.BrokerMode;
import io.blockferry.demo.BenchOptions.Part;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * One broker mode: its own data directory, the broker in this JVM (embedded, as the runtime
 * starts it) or in a child JVM, a fresh runtime, then the parts in order. A part during which the
 * JVM ran out of heap leaves the runtime in an unknown state, so the next part gets a new one.
 * Everything it starts is stopped, and every image it made removed, before the next mode starts.
 */
final class ModeRun {

    private final Settings settings;
    private final BenchOptions options;
    private final BenchImages images;
    private final RowRunner rows;
    private final OutOfMemoryWatch oom;
    private final Results results;
    private final Cleanup cleanup;
    private final PrintStream out;
    private Settings runtimeSettings;
    private BenchContext context; // replaced when the runtime is restarted

    ModeRun(Settings settings, BenchOptions options, BenchImages images, RowRunner rows, OutOfMemoryWatch oom,
            Results results, Cleanup cleanup, PrintStream out) {
        this.settings = settings;
        this.options = options;
        this.images = images;
        this.rows = rows;
        this.oom = oom;
        this.results = results;
        this.cleanup = cleanup;
        this.out = out;
    }

    void run(BrokerMode mode, boolean firstMode) throws Exception {
        // the sync rows compare file replicas with their snapshots; the dr part measures the DR replica itself
        Settings s = DemoImages.isolated(settings, "bench/" + mode.key()).with("blockferry.target.replica", "file");
        Path dir = Path.of(s.text("blockferry.data-dir"));
        DemoImages.wipe(dir);
        AutoCloseable data = cleanup.add("data directory " + dir, () -> removeUnlessDiffering(mode, dir));
        BrokerProcess broker = null;
        context = null;
        try {
            if (mode == BrokerMode.OUT) {
                broker = cleanup.add("out-of-process broker", BrokerProcess.start(dir.resolve("broker"),
                        options.brokerJavaOpts()));
                s = s.with("blockferry.kafka.bootstrap-servers", broker.bootstrapServers());
                out.printf("%n[out] broker: child JVM pid %d (%s) at %s, output in %s%n", broker.pid(),
                        String.join(" ", options.brokerJavaOpts()), broker.bootstrapServers(), broker.log());
            } else {
                s = s.with("blockferry.kafka.bootstrap-servers", ""); // empty: the runtime embeds the broker
                out.printf("%n[in] broker: embedded in this JVM%n");
            }
            runtimeSettings = s;
            BenchRuntime runtime = cleanup.add("Blockferry runtime", BenchRuntime.start(s, options.stall()));
            context = new BenchContext(mode, firstMode, options, runtime, images, new RbdCli(s), rows, results, out);
            parts();
        } finally {
            // the runtime first: it holds the images open and talks to the broker
            if (context != null) {
                cleanup.closeNow(context.runtime());
            }
            if (broker != null) {
                cleanup.closeNow(broker);
            }
            images.removeAll().forEach(left -> results.failed("image not removed: " + left));
            cleanup.closeNow(data);
        }
    }

    private void parts() {
        // Kafka-only rows go with the part they are compared with; asked for alone, both kinds run
        boolean kafka = options.runs(Part.KAFKA);
        boolean kafkaAlone = !options.runs(Part.SINGLE) && !options.runs(Part.FOUR);
        SinglePart.Sent single = null;
        if (options.runs(Part.SINGLE)) {
            single = part("single", () -> SinglePart.run(context));
        }
        if (kafka && (kafkaAlone || options.runs(Part.SINGLE))) {
            SinglePart.Sent sent = single;
            part("kafka", () -> kafkaPart().single(sent));
        }
        if (options.runs(Part.SPARSE)) {
            part("sparse", () -> SparsePart.run(context));
        }
        FourPart.Sent four = null;
        if (options.runs(Part.FOUR)) {
            four = part("four", () -> FourPart.run(context));
        }
        if (kafka && (kafkaAlone || options.runs(Part.FOUR))) {
            FourPart.Sent sent = four;
            part("kafka", () -> kafkaPart().four(sent));
        }
        if (options.runs(Part.RESYNC)) {
            part("resync", () -> ResyncPart.run(context));
        }
        if (options.runs(Part.DR) && context.firstMode()) {
            // no broker in it: once per benchmark, not once per broker mode
            part("dr", () -> DrApplyPart.run(context, runtimeSettings));
        }
        if (options.runs(Part.WRITERS)) {
            writers();
        }
    }

    /**
     * The writers part needs the broker outside this runtime (its rounds have runtimes of their own):
     * the mode's runtime is stopped meanwhile, and started again after.
     */
    private void writers() {
        if (context.mode() != BrokerMode.OUT) {
            if (!options.brokers().contains(BrokerMode.OUT)) {
                context.say("writers part skipped: it runs with the out-of-process broker (--broker out or both)");
            }
            return;
        }
        cleanup.closeNow(context.runtime());
        try {
            part("writers", () -> {
                WritersPart.run(context, runtimeSettings, Path.of(runtimeSettings.text("blockferry.data-dir")));
                return null;
            });
        } finally {
            context = context.with(cleanup.add("Blockferry runtime", BenchRuntime.start(runtimeSettings,
                    options.stall())));
        }
    }

    /** Made when used: a restarted runtime's embedded broker has a new address. */
    private KafkaPart kafkaPart() {
        return new KafkaPart(context, runtimeSettings);
    }

    /** A part that fails outside its rows (an image it could not make) is reported, and the next part runs. */
    private <T> T part(String name, Callable<T> part) {
        int mark = oom.mark();
        try {
            return part.call();
        } catch (RowRunner.OutOfMemoryRow e) {
            context.say("%s part stopped: %s; its remaining rows did not run", name, e.getMessage());
            return null;
        } catch (Exception | Error e) {
            results.failed(context.mode().key() + " " + name + ": " + e);
            context.say("%s part FAILED: %s", name, e);
            return null;
        } finally {
            if (oom.since(mark) != null) {
                restart();
            }
        }
    }

    private void restart() {
        context.say("restarting the runtime: the JVM ran out of heap during the last part");
        cleanup.closeNow(context.runtime());
        BenchRuntime runtime = cleanup.add("Blockferry runtime", BenchRuntime.start(runtimeSettings, options.stall()));
        context = context.with(runtime);
    }

    /** The data directory goes, unless a replica in it differs from its source: then it is evidence. */
    private void removeUnlessDiffering(BrokerMode mode, Path dir) throws java.io.IOException {
        if (results.checks().stream().anyMatch(c -> c.broker() == mode && !c.identical())) {
            out.printf("[%s] kept %s: a replica in it differs from its source%n", mode.key(), dir.toAbsolutePath());
        } else {
            DemoImages.wipe(dir);
        }
    }
}
