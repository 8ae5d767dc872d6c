package io.blockferry.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "points", mixinStandardHelpOptions = true,
        description = "The target's recovery points of a volume, oldest first "
                + "(GET /api/volumes/{id}/points).",
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE, ExitCodes.USAGE_LINE, ExitCodes.UNREACHABLE_LINE})
final class PointsCommand extends ApiCommand {

    @Parameters(paramLabel = "POOL/IMAGE", description = "The volume, such as volumes/volume-1234 (BACKEND:POOL/NAME for a backend other than the default RBD one).")
    String volume;

    PointsCommand(CliContext context) {
        super(context);
    }

    @Override
    JsonNode fetch(ApiConnection api) {
        return api.get("/api/volumes/" + Format.volumePath(volume) + "/points");
    }

    @Override
    void print(JsonNode points) {
        Table t = new Table("GEN", "MODE", "SNAPSHOT", "SIZE", "DATA", "STATE", "CREATED");
        for (JsonNode p : points) {
            t.row(p.path("generation").asLong(), p.path("mode").asText(), p.path("snapshot").asText(),
                    Format.bytes(p.path("imageSize").asLong()), Format.bytes(p.path("dataBytes").asLong()),
                    p.path("state").asText(), Instant.ofEpochMilli(p.path("createdAtMillis").asLong()));
        }
        t.print(context.out(), "No recovery point.");
    }
}
