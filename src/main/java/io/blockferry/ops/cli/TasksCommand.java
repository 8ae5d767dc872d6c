package io.blockferry.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import picocli.CommandLine.Command;

@Command(name = "tasks", mixinStandardHelpOptions = true,
        description = "Running sync tasks with their progress (done, rate, ETA), queued ones in the order they "
                + "will start, and the recently finished ones with their result (GET /api/tasks).",
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE, ExitCodes.USAGE_LINE, ExitCodes.UNREACHABLE_LINE})
final class TasksCommand extends ApiCommand {

    TasksCommand(CliContext context) {
        super(context);
    }

    @Override
    JsonNode fetch(ApiConnection api) {
        return api.get("/api/tasks");
    }

    @Override
    void print(JsonNode tasks) {
        Table running = new Table("ID", "VOLUME", "POLICY", "MODE", "DONE", "RATE", "ETA");
        for (JsonNode t : tasks.path("running")) {
            JsonNode p = t.path("progress");
            boolean flowing = !Format.absent(p);
            running.row(t.path("id").asLong(), t.path("volumeId").asText(), Format.text(t, "policy"),
                    t.path("mode").asText(), flowing ? Format.percent(p) : "starting",
                    flowing ? String.format(Locale.ROOT, "%.1f MB/s", p.path("megabytesPerSecond").asDouble()) : null,
                    flowing ? Format.age(p.path("etaSeconds")) : null);
        }
        context.out().println("Running:");
        running.print(context.out(), "  none");
        Table queued = new Table("ID", "VOLUME", "POLICY", "MODE", "PRIORITY", "WAITING");
        for (JsonNode t : tasks.path("queued")) {
            queued.row(t.path("id").asLong(), t.path("volumeId").asText(), Format.text(t, "policy"),
                    t.path("mode").asText(), t.path("priority").asInt(), Format.age(t.path("waitedSeconds")));
        }
        context.out().println("Queued:");
        queued.print(context.out(), "  none");
        Table recent = new Table("ID", "VOLUME", "POLICY", "MODE", "FINISHED", "RESULT");
        for (JsonNode t : tasks.path("recent")) {
            recent.row(t.path("id").asLong(), t.path("volumeId").asText(), Format.text(t, "policy"),
                    t.path("mode").asText(), t.path("finishedAt").asText(),
                    t.path("error").isNull() ? "ok" : t.path("error").asText());
        }
        context.out().println("Recently finished:");
        recent.print(context.out(), "  none");
    }
}
