package io.blockferry.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "files", mixinStandardHelpOptions = true,
        description = {"List a directory of a recovery point's filesystems without restoring the disk "
                + "(GET /api/volumes/{id}/points/{gen}/files?path=PATH).",
                "/ lists the partitions and filesystems found (p1, p2, or disk without a partition table); "
                        + "/p1/etc lists a directory of p1. The point is mounted read-only at the first call and "
                        + "stays mounted for the next ones (blockferry.access.browse-idle-timeout). "
                        + "'blockferry fetch' copies a file out."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE, ExitCodes.USAGE_LINE, ExitCodes.UNREACHABLE_LINE})
final class FilesCommand extends ApiCommand {

    @Parameters(index = "0", paramLabel = "POOL/IMAGE[@GEN]", description = "The volume, such as volumes/volume-1234 (BACKEND:POOL/NAME for a backend other than the default RBD one), with @GEN for a point other than the newest.")
    String volume;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PATH", description = "The directory, such as /p1/etc; default /.")
    String path = "/";

    @Option(names = "--point", paramLabel = "GEN", description = "The recovery point's generation (blockferry points POOL/IMAGE); default the newest.")
    Long point;

    FilesCommand(CliContext context) {
        super(context);
    }

    @Override
    JsonNode fetch(ApiConnection api) {
        return api.get(FetchCommand.pointPath(volume, point) + "/files?path=" + ApiConnection.segment(path));
    }

    @Override
    void print(JsonNode listing) {
        context.out().printf("%s point %d: %s%n", listing.path("volumeId").asText(), listing.path("generation").asLong(),
                listing.path("path").asText());
        if (listing.path("path").asText().equals("/")) {
            Table t = new Table("NAME", "FILESYSTEM", "SIZE", "NOTE");
            for (JsonNode e : listing.path("entries")) {
                t.row(e.path("name").asText(), e.path("filesystem").asText(), Format.bytes(e.path("size").asLong()),
                        Format.text(e, "error"));
            }
            t.print(context.out(), "No partition and no filesystem found.");
            return;
        }
        Table t = new Table("TYPE", "MODE", "UID", "GID", "SIZE", "MODIFIED", "NAME");
        for (JsonNode e : listing.path("entries")) {
            String name = e.path("name").asText() + (e.path("type").asText().equals("symlink")
                    ? " -> " + e.path("target").asText() : e.path("type").asText().equals("dir") ? "/" : "");
            t.row(e.path("type").asText(), e.path("mode").asText(), e.path("uid").asInt(), e.path("gid").asInt(),
                    e.path("size").asLong(), e.path("mtime").asText(), name);
        }
        t.print(context.out(), "Empty directory.");
    }
}
