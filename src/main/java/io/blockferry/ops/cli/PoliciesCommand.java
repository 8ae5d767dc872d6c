package io.blockferry.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "policies", mixinStandardHelpOptions = true,
        description = {"The policies in force, with their next fire time (GET /api/policies).",
                "'policies reload' re-reads the policy file and prints the policies, or the error naming the line "
                        + "and the key (POST /api/policies/reload); the policies in force then stay."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE, ExitCodes.USAGE_LINE, ExitCodes.UNREACHABLE_LINE})
final class PoliciesCommand extends ApiCommand {

    static final class Actions extends ArrayList<String> {
        Actions() {
            super(List.of("reload"));
        }
    }

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "reload", completionCandidates = Actions.class,
            description = "Re-read the policy file first.")
    String action;

    PoliciesCommand(CliContext context) {
        super(context);
    }

    @Override
    JsonNode fetch(ApiConnection api) {
        if (action != null && !action.equals("reload")) {
            throw new ParameterException(spec.commandLine(), "unknown action '" + action + "': only reload");
        }
        return action != null ? api.post("/api/policies/reload") : api.get("/api/policies");
    }

    @Override
    void print(JsonNode answer) {
        Table t = new Table("NAME", "SCHEDULE", "NEXT FIRE", "SELECTS", "MODE", "KEEP SRC/TGT", "PRIORITY");
        for (JsonNode p : answer.path("policies")) {
            List<String> parts = new ArrayList<>();
            p.path("volumes").forEach(v -> parts.add(v.asText()));
            String selects = String.join(" ", parts);
            if (!p.path("servers").isNull()) {
                selects += " servers(" + p.path("servers").asText() + ")";
            }
            String mode = p.path("mode").asText() + (p.path("fullEvery").asInt() > 1 ? ", full every "
                    + p.path("fullEvery").asInt() : "");
            t.row(p.path("name").asText(), p.path("schedule").asText(), p.path("nextFire").asText(), selects, mode,
                    p.path("keepSnapshots").asInt() + "/" + (p.path("keepPoints").asInt() == 0 ? "default"
                            : p.path("keepPoints").asInt()), p.path("priority").asInt());
        }
        context.out().println((action != null ? "Reloaded " : "Policies from ") + answer.path("file").asText() + ":");
        t.print(context.out(), "  none");
        if (!answer.path("lastReloadError").isNull()) {
            context.out().println("The last change of the file was rejected: " + answer.path("lastReloadError").asText());
        }
    }
}
