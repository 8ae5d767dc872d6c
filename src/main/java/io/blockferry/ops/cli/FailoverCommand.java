package io.blockferry.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "failover", mixinStandardHelpOptions = true,
        description = {"Boot an OpenStack server on the DR site from its disks' DR snapshots (blockferry.target"
                + ".replica=rbd): each disk a copy-on-write clone adopted by Cinder, so no data is copied. Starts the "
                + "job (POST /api/servers/{id}/failover) and follows it until the new server is ACTIVE.",
                "--drill does the same under the name NAME-drill, tagged blockferry-drill, while replication goes on; "
                        + "blockferry drill-cleanup removes what drills made."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE, ExitCodes.USAGE_LINE, ExitCodes.UNREACHABLE_LINE})
final class FailoverCommand extends ApiCommand {

    @Parameters(paramLabel = "SERVER-ID", description = "The id of the source server (GET /api/servers/{id}/metadata).")
    String serverId;

    @Option(names = "--point", paramLabel = "GEN", description = "Each disk's newest point at or before this "
            + "generation (default: each disk's newest point with a DR snapshot).")
    Long point;

    @Option(names = "--drill", description = "A DR drill: a distinct name and tags, nothing of the source touched.")
    boolean drill;

    FailoverCommand(CliContext context) {
        super(context);
    }

    @Override
    JsonNode fetch(ApiConnection api) {
        String query = "?drill=" + drill + (point == null ? "" : "&point=" + point);
        return RestoreCommand.follow(context, api, api.post("/api/servers/" + ApiConnection.segment(serverId)
                + "/failover" + query), drill ? "Drill" : "Failover", serverId, json);
    }

    @Override
    void print(JsonNode r) {
        RestoreCommand.printServer(context, r, drill ? "drilled" : "failed over");
    }
}
