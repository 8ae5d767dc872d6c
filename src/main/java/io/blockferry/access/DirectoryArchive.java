package io.blockferry.access;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A directory of a mounted point as a tar archive, streamed from GNU tar itself: its members are
 * named from the directory's own name down ({@code etc/hostname}), symbolic links are archived as
 * links (never followed), and tar stays on the directory's filesystem. The archive is read as tar
 * writes it; nothing is staged.
 */
final class DirectoryArchive {

    private DirectoryArchive() {
    }

    /**
     * @param dir      the directory (its real path, inside {@code mount})
     * @param partName the filesystem's name in paths (p1), the archive's top for the filesystem itself
     * @param release  run once when the stream ends or is closed
     * @return the archive's file name and stream (the other fields are the caller's)
     */
    static FileBrowser.Content of(Path dir, Path mount, String partName, Runnable release) throws IOException {
        String name = dir.equals(mount) ? partName : dir.getFileName().toString();
        ProcessBuilder builder = new ProcessBuilder(List.of("tar", "--create", "--file=-", "--one-file-system",
                "--directory=" + dir.getParent(), "--transform=s,^" + escape(dir.getFileName().toString()) + ","
                        + escape(name) + ",", "--", dir.getFileName().toString()))
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        HostCommands.cleanEnvironment(builder);
        Process tar;
        try {
            tar = builder.start();
        } catch (IOException e) {
            release.run();
            throw new AccessException(AccessException.Kind.UNAVAILABLE, "cannot run tar: " + e.getMessage()
                    + " (Debian's tar package)", e);
        }
        InputStream stream = new FilterInputStream(tar.getInputStream()) {
            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    tar.destroy();
                    try {
                        tar.waitFor(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        return new FileBrowser.Content(null, 0, null, name + ".tar", -1, 0,
                new ReleasingInputStream(stream, release), FileBrowser.Content.TAR);
    }

    /** A name as a sed regex and replacement of tar's --transform (its special characters escaped). */
    private static String escape(String name) {
        return name.replaceAll("([\\\\.^$*\\[\\],&])", "\\\\$1");
    }
}
