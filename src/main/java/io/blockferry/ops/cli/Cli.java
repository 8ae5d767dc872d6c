package io.blockferry.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.config.Settings;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The operator's subcommands of {@code blockferry}, each one REST call shown as a table. */
public final class Cli {

    public static final List<String> COMMANDS = List.of("status", "tasks", "sync", "points", "policies", "restore");
    public static final String USAGE = """
              status                      volumes with their base, RPO and last error, and the queue
              tasks                       running, queued and recently finished sync tasks
              sync POOL/IMAGE [--full]    queue a sync of a volume now
              sync --policy NAME [--full|--incremental]
                                          run a policy now
              points POOL/IMAGE           the target's recovery points of a volume
              policies [reload]           the policies in force (reload: re-read the policy file)
              restore SERVER-ID           rebuild a server from the target's metadata and recovery points
            """;

    private final ApiConnection api;
    private final PrintStream out;

    Cli(ApiConnection api, PrintStream out) {
        this.api = api;
        this.out = out;
    }

    public static Cli connect(Settings settings, PrintStream out) {
        return new Cli(ApiConnection.of(settings), out);
    }

    /** A CLI talking to the API at {@code baseUrl}, such as http://127.0.0.1:8080. */
    public static Cli connect(String baseUrl, String token, PrintStream out) {
        return new Cli(new ApiConnection(baseUrl, token), out);
    }

    public void run(List<String> args) {
        switch (args.get(0)) {
            case "status" -> status();
            case "tasks" -> tasks();
            case "sync" -> sync(args.subList(1, args.size()));
            case "points" -> points(volume(args, "points"));
            case "policies" -> policies(args.size() > 1 && args.get(1).equals("reload"));
            case "restore" -> restore(args);
            default -> throw new CliException("unknown command " + args.get(0));
        }
    }

    private void status() {
        Table t = new Table("VOLUME", "BASE GEN", "IN FLIGHT", "RPO", "FULL RESYNC", "LAST ERROR");
        for (JsonNode v : api.get("/api/volumes")) {
            t.row(v.path("volumeId").asText(), v.path("baseGeneration").asLong(), text(v, "pendingGeneration"),
                    age(v.path("rpoSeconds")), text(v, "fullResyncCause"), text(v, "lastError"));
        }
        t.print(out, "No volume has been synced yet.");
        JsonNode tasks = api.get("/api/tasks");
        out.printf("%nTasks: %d running, %d queued (blockferry tasks)%n", tasks.path("running").size(),
                tasks.path("queued").size());
    }

    private void tasks() {
        JsonNode tasks = api.get("/api/tasks");
        Table running = new Table("ID", "VOLUME", "POLICY", "MODE", "DONE", "RATE", "ETA");
        for (JsonNode t : tasks.path("running")) {
            JsonNode p = t.path("progress");
            boolean flowing = !absent(p);
            running.row(t.path("id").asLong(), t.path("volumeId").asText(), text(t, "policy"), t.path("mode").asText(),
                    flowing ? percent(p) : "starting",
                    flowing ? String.format(Locale.ROOT, "%.1f MB/s", p.path("megabytesPerSecond").asDouble()) : null,
                    flowing ? age(p.path("etaSeconds")) : null);
        }
        out.println("Running:");
        running.print(out, "  none");
        Table queued = new Table("ID", "VOLUME", "POLICY", "MODE", "PRIORITY", "WAITING");
        for (JsonNode t : tasks.path("queued")) {
            queued.row(t.path("id").asLong(), t.path("volumeId").asText(), text(t, "policy"), t.path("mode").asText(),
                    t.path("priority").asInt(), age(t.path("waitedSeconds")));
        }
        out.println("Queued:");
        queued.print(out, "  none");
        Table recent = new Table("ID", "VOLUME", "POLICY", "MODE", "FINISHED", "RESULT");
        for (JsonNode t : tasks.path("recent")) {
            recent.row(t.path("id").asLong(), t.path("volumeId").asText(), text(t, "policy"), t.path("mode").asText(),
                    t.path("finishedAt").asText(), t.path("error").isNull() ? "ok" : t.path("error").asText());
        }
        out.println("Recently finished:");
        recent.print(out, "  none");
    }

    private void sync(List<String> args) {
        boolean full = args.contains("--full");
        boolean incremental = args.contains("--incremental");
        int policyAt = args.indexOf("--policy");
        if (policyAt >= 0) {
            if (policyAt + 1 >= args.size()) {
                throw new CliException("--policy needs a policy name (blockferry policies lists them)");
            }
            String mode = full ? "?mode=full" : incremental ? "?mode=incremental" : "";
            JsonNode run = api.post("/api/policies/" + ApiConnection.segment(args.get(policyAt + 1)) + "/sync" + mode);
            out.printf("Policy %s run %d: %d %s sync(s) queued%n", run.path("policy").asText(), run.path("run").asLong(),
                    run.path("queued").asInt(), run.path("full").asBoolean() ? "full" : "incremental");
            for (JsonNode c : run.path("conflicts")) {
                out.printf("  conflict: %s is also selected by %s; %s syncs it%n", c.path("subject").asText(),
                        c.path("others"), c.path("owner").asText());
            }
            return;
        }
        String volume = args.stream().filter(a -> !a.startsWith("--")).findFirst()
                .orElseThrow(() -> new CliException("sync needs POOL/IMAGE or --policy NAME"));
        JsonNode queued = api.post("/api/volumes/" + path(volume) + "/sync?mode=" + (full ? "full" : "incremental"));
        out.printf("%s sync of %s %s%n", queued.path("mode").asText(), queued.path("volumeId").asText(),
                queued.path("status").asText());
    }

    private void points(String volume) {
        Table t = new Table("GEN", "MODE", "SNAPSHOT", "SIZE", "DATA", "STATE", "CREATED");
        for (JsonNode p : api.get("/api/volumes/" + path(volume) + "/points")) {
            t.row(p.path("generation").asLong(), p.path("mode").asText(), p.path("snapshot").asText(),
                    bytes(p.path("imageSize").asLong()), bytes(p.path("dataBytes").asLong()), p.path("state").asText(),
                    java.time.Instant.ofEpochMilli(p.path("createdAtMillis").asLong()));
        }
        t.print(out, "No recovery point.");
    }

    private void restore(List<String> args) {
        if (args.size() < 2) {
            throw new CliException("restore needs the id of the source server (GET /api/servers/{id}/metadata)");
        }
        // The API answers once the server is ACTIVE: that takes as long as copying its volumes.
        JsonNode r = api.postAndWait("/api/servers/" + ApiConnection.segment(args.get(1)) + "/restore",
                java.time.Duration.ofHours(6));
        out.printf("Server %s (%s) restored as %s%n", r.path("sourceServerId").asText(), r.path("name").asText(),
                r.path("serverId").asText());
        Table t = new Table("BOOT INDEX", "NEW VOLUME");
        for (int i = 0; i < r.path("volumeIds").size(); i++) {
            t.row(i, r.path("volumeIds").get(i).asText());
        }
        t.print(out, "  no volume");
        r.path("warnings").forEach(w -> out.println("warning: " + w.asText()));
    }

    private void policies(boolean reload) {
        JsonNode answer = reload ? api.post("/api/policies/reload") : api.get("/api/policies");
        Table t = new Table("NAME", "SCHEDULE", "NEXT FIRE", "SELECTS", "MODE", "KEEP SRC/TGT", "PRIORITY");
        for (JsonNode p : answer.path("policies")) {
            List<String> parts = new java.util.ArrayList<>();
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
        out.println((reload ? "Reloaded " : "Policies from ") + answer.path("file").asText() + ":");
        t.print(out, "  none");
        if (!answer.path("lastReloadError").isNull()) {
            out.println("The last change of the file was rejected: " + answer.path("lastReloadError").asText());
        }
    }

    private static String volume(List<String> args, String command) {
        if (args.size() < 2) {
            throw new CliException(command + " needs POOL/IMAGE");
        }
        return args.get(1);
    }

    private static String path(String volume) {
        int slash = volume.indexOf('/');
        if (slash <= 0 || slash == volume.length() - 1) {
            throw new CliException("'" + volume + "' is not POOL/IMAGE, such as volumes/volume-1234");
        }
        return ApiConnection.segment(volume.substring(0, slash)) + "/" + ApiConnection.segment(volume.substring(slash + 1));
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return absent(v) ? null : v.asText();
    }

    private static boolean absent(JsonNode node) {
        return node.isMissingNode() || node.isNull();
    }

    private static String age(JsonNode seconds) {
        if (absent(seconds)) {
            return null;
        }
        long s = seconds.asLong();
        return s < 120 ? s + "s" : s < 7200 ? s / 60 + "m" : s < 172_800 ? s / 3600 + "h" : s / 86_400 + "d";
    }

    private static String percent(JsonNode p) {
        long total = p.path("bytesTotal").asLong();
        return bytes(p.path("bytesDone").asLong()) + "/" + bytes(total)
                + (total > 0 ? String.format(Locale.ROOT, " (%d%%)", p.path("bytesDone").asLong() * 100 / total) : "");
    }

    private static String bytes(long n) {
        return n >= 1L << 30 ? String.format(Locale.ROOT, "%.1fG", n / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.1fM", n / (double) (1L << 20));
    }
}
