package io.blockferry;

import io.blockferry.config.ConfigurationException;
import io.blockferry.config.Settings;
import io.blockferry.demo.Benchmark;
import io.blockferry.demo.Demo;
import io.blockferry.ops.cli.Cli;
import io.blockferry.ops.cli.CliException;
import io.blockferry.source.CephException;
import io.blockferry.transport.KafkaUnavailableException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The {@code blockferry} command. */
public final class Blockferry {

    private static final String USAGE = """
            usage: blockferry <command>
              run     start the roles named by blockferry.roles in config/application.properties
              broker  run the embedded mode's single-node Kafka (KRaft) in this process until Ctrl-C or
                      SIGTERM, on blockferry.broker.host/port, with its log in blockferry.broker.dir
              demo    sync a demo volume on the local Ceph, full then incremental, and verify it
              benchmark [SIZE] [OPTIONS]
                      Blockferry against rbd export-diff | import-diff and a Kafka-only stage, one volume,
                      sparse writes and four at once, broker in and out of process (BENCHMARKS.md;
                      "blockferry benchmark --help" lists the options)
            Commands for a running Blockferry, through its REST API (BLOCKFERRY_URL, BLOCKFERRY_API_TOKEN):
            """ + Cli.USAGE + """
            The configuration file is config/application.properties, or the file named by BLOCKFERRY_CONFIG.
            """;

    private Blockferry() {
    }

    public static void main(String[] args) throws Exception {
        boolean known = args.length == 1 && (args[0].equals("run") || args[0].equals("demo") || args[0].equals("broker"))
                || args.length >= 1 && args[0].equals("benchmark")
                || args.length >= 1 && Cli.COMMANDS.contains(args[0]);
        if (!known) {
            System.err.print(USAGE);
            System.exit(2);
        }
        Path config = Path.of(System.getenv().getOrDefault("BLOCKFERRY_CONFIG", "config/application.properties"));
        try {
            Settings settings = Settings.load(config, Map.of());
            if (Cli.COMMANDS.contains(args[0])) {
                Cli.connect(settings, System.out).run(List.of(args));
                return;
            }
            if (args[0].equals("benchmark")) {
                benchmark(settings, List.of(args).subList(1, args.length));
                return;
            }
            if (args[0].equals("broker")) {
                StandaloneBroker.run(settings, System.out);
                return;
            }
            if (args[0].equals("demo")) {
                System.exit(new Demo(settings, System.out).run() ? 0 : 1);
            }
            try (BlockferryRuntime runtime = BlockferryRuntime.start(settings)) {
                runtime.awaitShutdown();
            }
        } catch (ConfigurationException | CephException | KafkaUnavailableException | CliException e) {
            System.err.println("blockferry: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void benchmark(Settings settings, List<String> args) throws Exception {
        if (args.contains("--help") || args.contains("-h")) {
            System.out.print(Benchmark.usage());
            return;
        }
        Benchmark benchmark;
        try {
            benchmark = new Benchmark(settings, args, System.out);
        } catch (IllegalArgumentException e) {
            System.err.println("blockferry benchmark: " + e.getMessage());
            System.err.print(Benchmark.usage());
            System.exit(2);
            return;
        }
        System.exit(benchmark.run());
    }
}
