package io.blockferry.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "unmount", mixinStandardHelpOptions = true,
        description = "Close an NBD export (DELETE /api/exports/{id}): its clients are disconnected, a writable "
                + "export's overlay is thrown away, and retention may remove its point again.",
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE, ExitCodes.USAGE_LINE, ExitCodes.UNREACHABLE_LINE})
final class UnmountCommand extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "The export's id (blockferry mounts).")
    String id;

    UnmountCommand(CliContext context) {
        super(context);
    }

    @Override
    JsonNode fetch(ApiConnection api) {
        return api.delete("/api/exports/" + ApiConnection.segment(id));
    }

    @Override
    void print(JsonNode e) {
        context.out().printf("Export %s of %s point %d closed%n", e.path("id").asText(), e.path("volumeId").asText(),
                e.path("generation").asLong());
    }
}
