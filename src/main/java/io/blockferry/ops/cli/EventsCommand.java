package io.blockferry.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "events", mixinStandardHelpOptions = true,
        description = {"The events this Blockferry published since it started, newest first (GET /api/events; "
                + "the events topic keeps them all).",
                "Each names what happened and what to do (README, \"Events\")."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE, ExitCodes.USAGE_LINE, ExitCodes.UNREACHABLE_LINE})
final class EventsCommand extends ApiCommand {

    @Option(names = "--volume", paramLabel = "POOL/IMAGE", description = "Only this volume's events.")
    String volume;

    @Option(names = "--type", paramLabel = "TYPE", description = "Only events of this type, such as rpo-missed.")
    String type;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "The most to show (default: ${DEFAULT-VALUE}).")
    int limit;

    EventsCommand(CliContext context) {
        super(context);
    }

    @Override
    JsonNode fetch(ApiConnection api) {
        if (limit < 1) {
            throw new CliException("--limit must be at least 1", ExitCodes.USAGE);
        }
        String query = volume == null ? "" : "&volume=" + ApiConnection.segment(volume);
        // the type is filtered here: the ring is small, and the API stays one query
        JsonNode all = api.get("/api/events?limit=" + (type == null ? limit : 100_000) + query);
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (JsonNode e : all) {
            if (out.size() < limit && (type == null || type.equals(e.path("type").asText()))) {
                out.add(e);
            }
        }
        return out;
    }

    @Override
    void print(JsonNode events) {
        Table t = new Table("TIME", "SEVERITY", "TYPE", "CAUSE", "VOLUME", "MESSAGE");
        for (JsonNode e : events) {
            t.row(Instant.ofEpochMilli(e.path("timeMillis").asLong()), e.path("severity").asText(),
                    e.path("type").asText(), Format.text(e, "cause"), Format.text(e, "volumeId"),
                    e.path("message").asText());
        }
        t.print(context.out(), "No event" + (type == null ? "" : " of type " + type) + " since Blockferry started.");
    }
}
