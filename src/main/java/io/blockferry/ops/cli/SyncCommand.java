package io.blockferry.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "sync", mixinStandardHelpOptions = true,
        description = {"Queue a sync of one volume now (POST /api/volumes/{id}/sync), or run a policy now "
                + "(POST /api/policies/{name}/sync).",
                "A volume's sync is incremental unless --full; a policy's takes the policy's own mode unless "
                        + "--full or --incremental. A volume's first sync is full whatever was asked."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE, ExitCodes.USAGE_LINE, ExitCodes.UNREACHABLE_LINE})
final class SyncCommand extends ApiCommand {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "POOL/IMAGE", description = "The volume, such as volumes/volume-1234 (BACKEND:POOL/NAME for a backend other than the default RBD one).")
    String volume;

    @Option(names = "--policy", paramLabel = "NAME", description = "Run this policy now (blockferry policies lists them).")
    String policy;

    @Option(names = "--full", description = "A full sync.")
    boolean full;

    @Option(names = "--incremental", description = "An incremental sync (with --policy: whatever the policy's mode).")
    boolean incremental;

    SyncCommand(CliContext context) {
        super(context);
    }

    @Override
    JsonNode fetch(ApiConnection api) {
        if ((volume == null) == (policy == null)) {
            throw new ParameterException(spec.commandLine(), "sync needs POOL/IMAGE or --policy NAME (one of them)");
        }
        if (full && incremental) {
            throw new ParameterException(spec.commandLine(), "--full and --incremental exclude each other");
        }
        if (policy != null) {
            String mode = full ? "?mode=full" : incremental ? "?mode=incremental" : "";
            return api.post("/api/policies/" + ApiConnection.segment(policy) + "/sync" + mode);
        }
        return api.post("/api/volumes/" + Format.volumePath(volume) + "/sync?mode=" + (full ? "full" : "incremental"));
    }

    @Override
    void print(JsonNode answer) {
        if (policy == null) {
            context.out().printf("%s sync of %s %s%n", answer.path("mode").asText(), answer.path("volumeId").asText(),
                    answer.path("status").asText());
            return;
        }
        context.out().printf("Policy %s run %d: %d %s sync(s) queued%n", answer.path("policy").asText(),
                answer.path("run").asLong(), answer.path("queued").asInt(),
                answer.path("full").asBoolean() ? "full" : "incremental");
        for (JsonNode c : answer.path("conflicts")) {
            context.out().printf("  conflict: %s is also selected by %s; %s syncs it%n", c.path("subject").asText(),
                    c.path("others"), c.path("owner").asText());
        }
    }
}
