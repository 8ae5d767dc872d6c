package io.blockferry.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Rebuild an OpenStack server from the target's metadata and recovery points, in the restore "
                + "cloud: starts the restore job (POST /api/servers/{id}/restore) and follows it "
                + "(GET /api/restores/{job}) until the new server is ACTIVE or the job failed.",
                "The steps alone: GET /api/servers/{id}/restore-plan (README, \"Restoring a server\")."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE, ExitCodes.USAGE_LINE, ExitCodes.UNREACHABLE_LINE})
final class RestoreCommand extends ApiCommand {

    @Parameters(paramLabel = "SERVER-ID", description = "The id of the source server (GET /api/servers/{id}/metadata).")
    String serverId;

    RestoreCommand(CliContext context) {
        super(context);
    }

    /** How long the command follows a job: a restore takes as long as copying its volumes. */
    static final Duration FOLLOW = Duration.ofHours(6);
    static final Duration POLL = Duration.ofSeconds(2);

    @Override
    JsonNode fetch(ApiConnection api) {
        return follow(context, api, api.post("/api/servers/" + ApiConnection.segment(serverId) + "/restore"),
                "Restore", serverId, json);
    }

    /** Follows a restore or failover job until it ends; its result, or the whole job with --json. */
    static JsonNode follow(CliContext context, ApiConnection api, JsonNode job, String kind, String serverId,
                           boolean json) {
        String id = job.path("id").asText();
        if (!json) {
            context.out().printf("%s job %s started for server %s%n", kind, id, serverId);
            context.out().flush();
        }
        long deadline = System.nanoTime() + FOLLOW.toNanos();
        while ("running".equals(job.path("status").asText())) {
            if (System.nanoTime() > deadline) {
                throw new CliException(kind.toLowerCase(java.util.Locale.ROOT) + " job " + id + " still runs after "
                        + FOLLOW.toHours() + " h: follow it with GET /api/restores/" + id);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(POLL.toNanos());
            job = api.get("/api/restores/" + ApiConnection.segment(id));
        }
        if (!"succeeded".equals(job.path("status").asText())) {
            throw new CliException(kind.toLowerCase(java.util.Locale.ROOT) + " job " + id + " failed: "
                    + job.path("error").asText());
        }
        return json ? job : job.path("result");
    }

    @Override
    void print(JsonNode r) {
        printServer(context, r, "restored");
    }

    /** The new server and its volumes in boot order, and the job's warnings. */
    static void printServer(CliContext context, JsonNode r, String how) {
        context.out().printf("Server %s (%s) %s as %s%n", r.path("sourceServerId").asText(), r.path("name").asText(),
                how, r.path("serverId").asText());
        Table t = new Table("BOOT INDEX", "NEW VOLUME");
        for (int i = 0; i < r.path("volumeIds").size(); i++) {
            t.row(i, r.path("volumeIds").get(i).asText());
        }
        t.print(context.out(), "  no volume");
        r.path("warnings").forEach(w -> context.out().println("warning: " + w.asText()));
    }
}
