package io.blockferry.ops.cli;

import io.blockferry.demo.Demo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Sync a 1 GiB demo volume on the local Ceph in full, change about 10%% of it, sync it "
                + "incrementally, and compare the SHA-256 of the source snapshot and the target's replica.",
                "The terminal shows the steps, a progress bar per sync and the verdict; the logs go to a file "
                        + "whose path it prints first (under DATA_DIR/demo/)."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {"0:the replica is bit-identical to the source snapshot",
                "1:it differs, or the demo could not run (the message says why)", ExitCodes.USAGE_LINE})
final class DemoCommand implements Callable<Integer> {

    private final CliContext context;

    DemoCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        return new Demo(context.settings(), context.out()).run() ? ExitCodes.OK : ExitCodes.FAILED;
    }
}
