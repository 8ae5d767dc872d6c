package io.blockferry.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

@Command(name = "drill-cleanup", mixinStandardHelpOptions = true,
        description = {"Delete every server and volume a DR drill made (tag and volume metadata blockferry-drill) "
                + "and unprotect the DR snapshots no clone uses any more (POST /api/drills/cleanup). The DR images "
                + "and their snapshots stay as they were."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE, ExitCodes.USAGE_LINE, ExitCodes.UNREACHABLE_LINE})
final class DrillCleanupCommand extends ApiCommand {

    DrillCleanupCommand(CliContext context) {
        super(context);
    }

    @Override
    JsonNode fetch(ApiConnection api) {
        return api.post("/api/drills/cleanup");
    }

    @Override
    void print(JsonNode r) {
        context.out().printf("Removed %d drill servers and %d drill volumes; released %d DR snapshots%n",
                r.path("servers").size(), r.path("volumes").size(), r.path("releasedSnapshots").size());
        r.path("servers").forEach(s -> context.out().println("  server " + s.asText()));
        r.path("volumes").forEach(v -> context.out().println("  volume " + v.asText()));
    }
}
