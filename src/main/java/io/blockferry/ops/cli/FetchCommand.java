package io.blockferry.ops.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = {"Copy a file out of a recovery point without restoring the disk "
                + "(GET /api/volumes/{id}/points/{gen}/files/content?path=PATH, streamed).",
                "PATH is /PARTITION/dir/file as 'blockferry files' lists it, such as /p1/etc/hostname. "
                        + "Written to -o FILE (- for standard output), by default to the file's name in the "
                        + "current directory, which must not exist yet."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE, ExitCodes.USAGE_LINE, ExitCodes.UNREACHABLE_LINE})
final class FetchCommand implements Callable<Integer> {

    private final CliContext context;

    @Parameters(index = "0", paramLabel = "POOL/IMAGE[@GEN]", description = "The volume, such as volumes/volume-1234 (BACKEND:POOL/NAME for a backend other than the default RBD one), with @GEN for a point other than the newest.")
    String volume;

    @Parameters(index = "1", paramLabel = "PATH", description = "The file, such as /p1/etc/hostname.")
    String path;

    @Option(names = "--point", paramLabel = "GEN", description = "The recovery point's generation (blockferry points POOL/IMAGE); default the newest.")
    Long point;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where to write it; - for standard output.")
    String output;

    FetchCommand(CliContext context) {
        this.context = context;
    }

    /** The API path of a point: POOL/IMAGE with --point GEN, or POOL/IMAGE@GEN; the newest without either. */
    static String pointPath(String volume, Long point) {
        int at = volume.lastIndexOf('@');
        if (at > 0 && point == null) {
            try {
                point = Long.parseLong(volume.substring(at + 1));
            } catch (NumberFormatException e) {
                throw new CliException("'" + volume + "': the point after @ must be a generation number (blockferry "
                        + "points POOL/IMAGE)", ExitCodes.USAGE);
            }
            volume = volume.substring(0, at);
        }
        return "/api/volumes/" + Format.volumePath(volume) + "/points/" + (point == null ? "latest" : point);
    }

    @Override
    public Integer call() throws Exception {
        String url = pointPath(volume, point) + "/files/content?path=" + ApiConnection.segment(path);
        if ("-".equals(output)) {
            context.api().download(url, context.out());
            context.out().flush();
            return ExitCodes.OK;
        }
        String name = path.replaceAll("/+$", "");
        // bin/blockferry runs from the installation's directory: relative paths are the caller's (BLOCKFERRY_CWD)
        Path target = Path.of(System.getenv().getOrDefault("BLOCKFERRY_CWD", ""))
                .resolve(output != null ? output : name.substring(name.lastIndexOf('/') + 1));
        if (output == null && Files.exists(target)) {
            throw new CliException(target + " exists already: name another with -o FILE", ExitCodes.USAGE);
        }
        Path partial = target.toAbsolutePath().resolveSibling(target.getFileName() + ".part");
        ApiConnection.Download d;
        try (var out = Files.newOutputStream(partial)) {
            d = context.api().download(url, out);
        } catch (RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        Files.move(partial, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        if (d.modifiedMillis() > 0) {
            Files.setLastModifiedTime(target, java.nio.file.attribute.FileTime.fromMillis(d.modifiedMillis()));
        }
        context.err().printf("%s point %s: %s -> %s (%s)%n", volume, d.point(), path, target, Format.bytes(d.bytes()));
        return ExitCodes.OK;
    }
}
