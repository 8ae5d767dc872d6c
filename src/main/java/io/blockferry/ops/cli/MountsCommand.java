package io.blockferry.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import picocli.CommandLine.Command;

@Command(name = "mounts", mixinStandardHelpOptions = true,
        description = "The open NBD exports of recovery points, oldest first (GET /api/exports).",
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE, ExitCodes.USAGE_LINE, ExitCodes.UNREACHABLE_LINE})
final class MountsCommand extends ApiCommand {

    MountsCommand(CliContext context) {
        super(context);
    }

    @Override
    JsonNode fetch(ApiConnection api) {
        return api.get("/api/exports");
    }

    @Override
    void print(JsonNode exports) {
        Table t = new Table("ID", "VOLUME", "GEN", "MODE", "URI", "OPENED");
        for (JsonNode e : exports) {
            t.row(e.path("id").asText(), e.path("volumeId").asText(), e.path("generation").asLong(),
                    e.path("writable").asBoolean() ? "writable" : "read-only", e.path("uri").asText(),
                    Instant.ofEpochMilli(e.path("openedAtMillis").asLong()));
        }
        t.print(context.out(), "No open export.");
    }
}
