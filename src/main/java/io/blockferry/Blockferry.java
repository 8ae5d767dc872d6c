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
              benchmark [SIZE]
                      compare full and incremental syncs with rbd export-diff | import-diff (default 2G)
            Commands for a running Blockferry, through its REST API (BLOCKFERRY_URL, BLOCKFERRY_API_TOKEN):
            """ + Cli.USAGE + """
            The configuration file is config/application.properties, or the file named by BLOCKFERRY_CONFIG.
            """;

    private Blockferry() {
    }

    public static void main(String[] args) throws Exception {
        boolean known = args.length == 1 && (args[0].equals("run") || args[0].equals("demo") || args[0].equals("broker"))
                || args.length >= 1 && args.length <= 2 && args[0].equals("benchmark")
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
                long size = args.length == 2 ? settings.with("benchmark.size", args[1]).bytes("benchmark.size") : 2L << 30;
                new Benchmark(settings, size, System.out).run();
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
}
