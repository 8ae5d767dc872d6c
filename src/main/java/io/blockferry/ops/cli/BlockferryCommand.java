package io.blockferry.ops.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "blockferry", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Agentless block-level replication and backup of Ceph RBD volumes (OpenStack).",
        commandListHeading = "%nCommands:%n",
        subcommands = {RunCommand.class, BrokerCommand.class, DemoCommand.class, BenchmarkCommand.class,
                StatusCommand.class, TasksCommand.class, SyncCommand.class, PointsCommand.class,
                PoliciesCommand.class, EventsCommand.class, RestoreCommand.class, FailoverCommand.class,
                DrillCleanupCommand.class, MountCommand.class,
                MountsCommand.class, UnmountCommand.class, FilesCommand.class, FetchCommand.class,
                CompletionCommand.class},
        footerHeading = "%nEnvironment:%n",
        footer = {
                "  BLOCKFERRY_CONFIG     the configuration file (default config/application.properties);",
                "                        any key can be set in the environment too: upper-case it, '_' for",
                "                        '.' and '-' (BLOCKFERRY_KAFKA_BOOTSTRAP_SERVERS)",
                "  BLOCKFERRY_URL        the REST API of a running Blockferry, for status, tasks, sync,",
                "                        points, policies, events, restore, mount, mounts, unmount, files",
                "                        and fetch",
                "                        (default: camel.server.host and camel.server.port)",
                "  BLOCKFERRY_API_TOKEN  its token (default: blockferry.api.token, or DATA_DIR/api-token)",
                "",
                "Each command has --help. 'blockferry completion' prints a bash completion script."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE, ExitCodes.USAGE_LINE, ExitCodes.ROW_FAILED_LINE,
                ExitCodes.UNREACHABLE_LINE})
final class BlockferryCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a command is needed: " + String.join(", ",
                spec.subcommands().keySet()));
    }
}
