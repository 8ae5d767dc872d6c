package io.blockferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import io.blockferry.BlockferryRuntime;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncRequest;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository, the state stores, the token file and the manifests are their owner's only
 * (0700 directories, 0600 files) whatever the process's umask, here the loosest (000); files an
 * older release left open are tightened at start with a warning naming them.
 */
class OwnerOnlyFilesTest {

    private static final int MiB = 1 << 20;

    /** libc's umask, which the JDK does not offer. */
    private interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int umask(int mask);
    }

    /** The WARN lines of one logger while a test runs. */
    private static final class Warnings extends AbstractAppender implements AutoCloseable {
        final List<String> lines = new ArrayList<>();
        private final org.apache.logging.log4j.core.Logger logger;

        Warnings(String loggerName) {
            super("warnings-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY);
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            logger = context.getLogger(loggerName);
            start();
            logger.addAppender(this);
        }

        @Override
        public synchronized void append(LogEvent event) {
            if (event.getLevel().isMoreSpecificThan(Level.WARN)) {
                lines.add(event.getMessage().getFormattedMessage());
            }
        }

        @Override
        public void close() {
            logger.removeAppender(this);
            stop();
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    /** Every directory and regular file under {@code root} that is not owner-only. */
    private static List<String> open(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            List<String> wrong = new ArrayList<>();
            for (Path p : all.toList()) {
                String m = mode(p);
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? !m.equals("rwx------")
                        : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && !m.equals("rw-------")) {
                    wrong.add(root.relativize(p) + " " + m);
                }
            }
            return wrong;
        }
    }

    @Test
    void should_keep_the_repository_state_and_token_owner_only_whatever_the_umask(@TempDir Path data) throws Exception {
        LocalCeph.ensureStarted();
        int before = LibC.INSTANCE.umask(0);
        try (BlockferryRuntime runtime = TestRuntimes.start(data, Map.of());
             TestImage image = new TestImage("volumes", "it-harden-modes", 16L * MiB, 81)) {
            image.writeRandom(0, 3 * MiB);
            GenerationReport first = runtime.sync(SyncRequest.incremental(image.volumeId(), "test"));
            first.awaitCommitted(Duration.ofMinutes(2));
            image.writeRandom(MiB, MiB);
            runtime.sync(SyncRequest.incremental(image.volumeId(), "test")).awaitCommitted(Duration.ofMinutes(2));

            Path volume = runtime.writer().repository().volumeDir(image.volumeId());
            assertEquals("rw-------", mode(volume.resolve("replica.img")));
            assertEquals(List.of(), open(runtime.writer().repository().root()), "repository");
            assertEquals(List.of(), open(data.resolve("state")), "state stores and manifests");
            assertEquals("rw-------", mode(data.resolve("state").resolve("source.mv.db")));
            assertEquals("rw-------", mode(data.resolve("state").resolve("target.mv.db")));
            assertEquals("rw-------", mode(data.resolve("api-token")));
            assertEquals("rwx------", mode(data), "the data directory");
            assertEquals("rwx------", mode(data.resolve("kafka")), "the embedded Kafka's directory (its files "
                    + "are Kafka's, made with the umask, and reachable only through it)");
        } finally {
            LibC.INSTANCE.umask(before);
        }
    }

    @Test
    void should_tighten_files_an_older_release_left_open_with_a_warning_naming_them(@TempDir Path data)
            throws Exception {
        LocalCeph.ensureStarted();
        Path volume = Files.createDirectories(data.resolve("repository").resolve("volumes%2Fold"));
        Path point = Files.writeString(volume.resolve("notes.txt"), "disk data");
        Path token = Files.writeString(data.resolve("api-token"), "0123456789abcdef\n");
        Files.setPosixFilePermissions(point, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(volume, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));

        try (Warnings warnings = new Warnings("io.blockferry.store.OwnerOnly");
             BlockferryRuntime runtime = TestRuntimes.start(data, Map.of())) {
            assertEquals("rw-------", mode(point));
            assertEquals("rw-------", mode(token));
            assertEquals("rwx------", mode(volume));
            assertEquals("rwx------", mode(data));
            assertTrue(warnings.lines.stream().anyMatch(l -> l.contains(token.toString()) && l.contains("owner's only")),
                    "a warning names the token file: " + warnings.lines);
            assertTrue(warnings.lines.stream().anyMatch(l -> l.contains(point.toString())), "and the repository's file: "
                    + warnings.lines);
            assertFalse(warnings.lines.stream().anyMatch(l -> l.contains("0123456789abcdef")), "never the token");
        }
    }
}
