package io.blockferry.ops.cli;

import io.blockferry.BlockferryRuntime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Start the roles named by blockferry.roles (source, target, or both) and run until Ctrl-C "
                + "or SIGTERM.",
                "The REST API and the status page (/status/) are on camel.server.host:port, health, metrics and "
                        + "Jolokia on camel.management.host:port."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {"0:stopped by Ctrl-C or SIGTERM",
                "1:could not start: the configuration, Ceph or Kafka (the message says which and what to do)",
                ExitCodes.USAGE_LINE})
final class RunCommand implements Callable<Integer> {

    private final CliContext context;

    RunCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        try (BlockferryRuntime runtime = BlockferryRuntime.start(context.settings())) {
            runtime.awaitShutdown();
        }
        return ExitCodes.OK;
    }
}
