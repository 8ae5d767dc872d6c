package io.blockferry.ops.cli;

import io.blockferry.StandaloneBroker;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Run the embedded mode's single-node Kafka (KRaft) in this process until Ctrl-C or SIGTERM, "
                + "on blockferry.broker.host:port, with its log in blockferry.broker.dir.",
                "Prints 'blockferry broker: ready at HOST:PORT' when it serves; point "
                        + "blockferry.kafka.bootstrap-servers at it."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {"0:stopped by Ctrl-C or SIGTERM", "1:could not start (the message says why)",
                ExitCodes.USAGE_LINE})
final class BrokerCommand implements Callable<Integer> {

    private final CliContext context;

    BrokerCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        StandaloneBroker.run(context.settings(), context.out());
        return ExitCodes.OK;
    }
}
