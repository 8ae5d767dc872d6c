package io.blockferry.ops.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = {"Copy a file or a directory out of a recovery point without restoring the disk "
                + "(GET /api/volumes/{id}/points/{gen}/files/content?path=PATH, streamed; a directory comes as a tar "
                + "archive).",
                "PATH is /PARTITION/dir/file as 'blockferry files' lists it, such as /p1/etc/hostname or /p1/etc. "
                        + "A file is written to DEST (a file, or a directory to put it in), by default to its name "
                        + "in the current directory, which must not exist yet; a directory is copied into DEST "
                        + "(default the current directory) under its own name. - writes the bytes (a directory's "
                        + "tar archive) to standard output."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK_LINE, ExitCodes.FAILED_LINE, ExitCodes.USAGE_LINE, ExitCodes.UNREACHABLE_LINE})
final class FetchCommand implements Callable<Integer> {

    private final CliContext context;

    @Parameters(index = "0", paramLabel = "POOL/IMAGE[@GEN]", description = "The volume, such as volumes/volume-1234 (BACKEND:POOL/NAME for a backend other than the default RBD one), with @GEN for a point other than the newest.")
    String volume;

    @Parameters(index = "1", paramLabel = "PATH", description = "The file or directory, such as /p1/etc/hostname.")
    String path;

    @Parameters(index = "2", arity = "0..1", paramLabel = "DEST", description = "Where to copy it: a file name, or a "
            + "directory; - for standard output.")
    String dest;

    @Option(names = "--point", paramLabel = "GEN", description = "The recovery point's generation (blockferry points POOL/IMAGE); default the newest.")
    Long point;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "The same as DEST.")
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
        if (dest != null && output != null && !dest.equals(output)) {
            throw new CliException("give DEST or -o, not both", ExitCodes.USAGE);
        }
        String where = dest != null ? dest : output;
        String url = pointPath(volume, point) + "/files/content?path=" + ApiConnection.segment(path);
        if ("-".equals(where)) {
            context.api().download(url, context.out());
            context.out().flush();
            return ExitCodes.OK;
        }
        String name = path.replaceAll("/+$", "");
        name = name.substring(name.lastIndexOf('/') + 1);
        // bin/blockferry runs from the installation's directory: relative paths are the caller's (BLOCKFERRY_CWD)
        Path cwd = Path.of(System.getenv().getOrDefault("BLOCKFERRY_CWD", "")).toAbsolutePath();
        Path chosen = where == null ? null : cwd.resolve(where);
        Path staging = Files.createTempFile(chosen != null && Files.isDirectory(chosen) ? chosen
                : (chosen != null ? chosen.toAbsolutePath().getParent() : cwd), ".blockferry-fetch-", ".part");
        ApiConnection.Download d;
        try {
            try (var out = Files.newOutputStream(staging)) {
                d = context.api().download(url, out);
            }
            Path placed = d.archive() ? extract(staging, chosen == null ? cwd : chosen, name)
                    : place(staging, chosen, cwd.resolve(name), where == null);
            if (!d.archive() && d.modifiedMillis() > 0) {
                Files.setLastModifiedTime(placed, java.nio.file.attribute.FileTime.fromMillis(d.modifiedMillis()));
            }
            context.err().printf("%s point %s: %s -> %s (%s%s)%n", volume, d.point(), path, placed,
                    Format.bytes(d.bytes()), d.archive() ? " as tar" : "");
            return ExitCodes.OK;
        } finally {
            Files.deleteIfExists(staging);
        }
    }

    /** A file: moved to DEST (or into it, when it is a directory), its modification time kept. */
    private Path place(Path staging, Path chosen, Path byName, boolean defaulted) throws Exception {
        Path target = chosen == null ? byName : Files.isDirectory(chosen) ? chosen.resolve(byName.getFileName()) : chosen;
        if ((defaulted || Files.isDirectory(chosen)) && Files.exists(target)) {
            throw new CliException(target + " exists already: name another DEST", ExitCodes.USAGE);
        }
        Files.move(staging, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    /** A directory: its archive unpacked into DEST by tar (owners not taken from the archive). */
    private static Path extract(Path archive, Path into, String name) throws Exception {
        Files.createDirectories(into);
        Path top = into.resolve(name);
        if (Files.exists(top)) {
            throw new CliException(top + " exists already: name another DEST", ExitCodes.USAGE);
        }
        Process tar = new ProcessBuilder("tar", "--extract", "--file=" + archive, "--directory=" + into,
                "--no-same-owner").redirectErrorStream(true).start();
        String out = new String(tar.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (tar.waitFor() != 0) {
            throw new CliException("unpacking the directory into " + into + " failed: " + out.strip());
        }
        return top;
    }
}
