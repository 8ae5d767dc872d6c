package io.blockferry.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Command;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Volumes with their base generation, RPO (the age of the newest acked recovery point), "
                + "their policy's objective, pending full resync and last error, and the queue.",
                "A volume that missed its objective shows MISSED. --json prints {volumes, rpo, tasks}: the answers "
                        + "of GET /api/volumes, /api/rpo and /api/tasks."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE, ExitCodes.USAGE_LINE, ExitCodes.UNREACHABLE_LINE})
final class StatusCommand extends ApiCommand {

    StatusCommand(CliContext context) {
        super(context);
    }

    @Override
    JsonNode fetch(ApiConnection api) {
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.set("volumes", api.get("/api/volumes"));
        JsonNode rpo = api.find("/api/rpo");
        answer.set("rpo", rpo == null ? JsonNodeFactory.instance.arrayNode() : rpo);
        answer.set("tasks", api.get("/api/tasks"));
        return answer;
    }

    @Override
    void print(JsonNode answer) {
        Map<String, JsonNode> objectives = new HashMap<>();
        answer.path("rpo").forEach(r -> objectives.put(r.path("volumeId").asText(), r));
        Table t = new Table("VOLUME", "BASE GEN", "IN FLIGHT", "RPO", "OBJECTIVE", "FULL RESYNC", "LAST ERROR");
        int missed = 0;
        for (JsonNode v : answer.path("volumes")) {
            JsonNode objective = objectives.get(v.path("volumeId").asText());
            // the last check's verdict, or what it will say at the next: the RPO has outgrown the objective
            boolean breached = objective != null && (objective.path("breached").asBoolean()
                    || !Format.absent(v.path("rpoSeconds"))
                    && v.path("rpoSeconds").asLong() > objective.path("objectiveSeconds").asLong());
            missed += breached ? 1 : 0;
            String rpo = Format.age(v.path("rpoSeconds"));
            t.row(v.path("volumeId").asText(), v.path("baseGeneration").asLong(), Format.text(v, "pendingGeneration"),
                    breached ? (rpo == null ? "none" : rpo) + " MISSED" : rpo,
                    objective == null ? null : Format.objective(objective.path("objectiveSeconds")),
                    Format.text(v, "fullResyncCause"), Format.text(v, "lastError"));
        }
        t.print(context.out(), "No volume has been synced yet.");
        if (missed > 0) {
            context.out().printf("%n%d volume(s) missed their recovery-point objective (blockferry events "
                    + "--type rpo-missed)%n", missed);
        }
        JsonNode tasks = answer.path("tasks");
        context.out().printf("%nTasks: %d running, %d queued (blockferry tasks)%n", tasks.path("running").size(),
                tasks.path("queued").size());
    }
}
