package io.blockferry.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "mount", mixinStandardHelpOptions = true,
        description = {"Export a recovery point of a volume as an NBD device (POST /api/volumes/{id}/exports): "
                + "prints the export's id and its nbd:// URI, for nbdinfo, nbdcopy, nbd-client or qemu-img.",
                "Read-only unless --writable, whose writes go to a throwaway overlay and never reach the "
                        + "repository. While it is open, retention keeps the point. "
                        + "'blockferry mounts' lists the exports, 'blockferry unmount ID' closes one."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE, ExitCodes.USAGE_LINE, ExitCodes.UNREACHABLE_LINE})
final class MountCommand extends ApiCommand {

    @Parameters(paramLabel = "POOL/IMAGE", description = "The volume, such as volumes/volume-1234 (BACKEND:POOL/NAME for a backend other than the default RBD one).")
    String volume;

    @Option(names = "--point", paramLabel = "GEN", description = "The recovery point's generation (blockferry points POOL/IMAGE); default the newest.")
    Long point;

    @Option(names = "--writable", description = "Accept writes, into a throwaway overlay that goes with the export.")
    boolean writable;

    MountCommand(CliContext context) {
        super(context);
    }

    @Override
    JsonNode fetch(ApiConnection api) {
        String query = "?writable=" + writable + (point == null ? "" : "&point=" + point);
        return api.post("/api/volumes/" + Format.volumePath(volume) + "/exports" + query);
    }

    @Override
    void print(JsonNode e) {
        context.out().printf("Export %s: %s point %d (%s, %s) at %s%n", e.path("id").asText(),
                e.path("volumeId").asText(), e.path("generation").asLong(), Format.bytes(e.path("imageSize").asLong()),
                e.path("writable").asBoolean() ? "writable, to a throwaway overlay" : "read-only",
                e.path("uri").asText());
        context.out().printf("  exposed in %.1f s from the chain %s; close it with: blockferry unmount %s%n",
                e.path("openMillis").asLong() / 1000.0, e.path("chain"), e.path("id").asText());
    }
}
