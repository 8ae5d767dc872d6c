package io.blockferry.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Rebuild an OpenStack server from the target's metadata and recovery points, in the restore "
                + "cloud (POST /api/servers/{id}/restore); answers once the new server is ACTIVE.",
                "The steps alone: GET /api/servers/{id}/restore-plan (README, \"Restoring a server\")."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE, ExitCodes.USAGE_LINE, ExitCodes.UNREACHABLE_LINE})
final class RestoreCommand extends ApiCommand {

    @Parameters(paramLabel = "SERVER-ID", description = "The id of the source server (GET /api/servers/{id}/metadata).")
    String serverId;

    RestoreCommand(CliContext context) {
        super(context);
    }

    @Override
    JsonNode fetch(ApiConnection api) {
        // The API answers once the server is ACTIVE: that takes as long as copying its volumes.
        return api.postAndWait("/api/servers/" + ApiConnection.segment(serverId) + "/restore", Duration.ofHours(6));
    }

    @Override
    void print(JsonNode r) {
        context.out().printf("Server %s (%s) restored as %s%n", r.path("sourceServerId").asText(),
                r.path("name").asText(), r.path("serverId").asText());
        Table t = new Table("BOOT INDEX", "NEW VOLUME");
        for (int i = 0; i < r.path("volumeIds").size(); i++) {
            t.row(i, r.path("volumeIds").get(i).asText());
        }
        t.print(context.out(), "  no volume");
        r.path("warnings").forEach(w -> context.out().println("warning: " + w.asText()));
    }
}
