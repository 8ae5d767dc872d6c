package io.blockferry.access;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A directory of a mounted point as a tar archive, streamed from GNU tar itself: its members are
 * named from the directory's own name down ({@code etc/hostname}; a filesystem's own mount
 * directory is named after it, {@code p1}), symbolic links are archived as links (never followed),
 * and tar stays on the directory's filesystem. The archive is read as tar writes it; nothing is
 * staged.
 */
final class DirectoryArchive {

    private DirectoryArchive() {
    }

    /**
     * @param dir     the directory (its real path, inside a mount)
     * @param release run once when the stream ends or is closed
     */
    static InputStream of(Path dir, Runnable release) {
        ProcessBuilder builder = new ProcessBuilder(List.of("tar", "--create", "--file=-", "--one-file-system",
                "--directory=" + dir.getParent(), "--", dir.getFileName().toString()))
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
        return new ReleasingInputStream(stream, release);
    }
}
