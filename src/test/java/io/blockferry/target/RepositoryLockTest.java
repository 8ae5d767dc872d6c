package io.blockferry.target;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.BlockferryRuntime;
import io.blockferry.testing.BlockferryProcess;
import io.blockferry.testing.TestRuntimes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One target writer per repository: a second writer (another process, or another runtime in this
 * one) on the same repository refuses to start and names the first; a kill -9 of the first leaves
 * its lock file, but not its lock, and the next writer takes the repository.
 */
class RepositoryLockTest {

    private static final Map<String, String> NO_CEPH = Map.of("blockferry.ceph.enabled", "false");

    @Test
    void should_refuse_a_second_writer_on_a_repository_and_let_the_next_one_in_after_a_kill_9(
            @TempDir Path first, @TempDir Path second) throws Exception {
        Path repository = first.resolve("repository");
        Map<String, String> sameRepository = Map.of("blockferry.ceph.enabled", "false",
                "blockferry.target.repository-dir", repository.toString());
        try (BlockferryProcess writer = BlockferryProcess.start(first, null, NO_CEPH, null, "256m")) {
            RuntimeException refused = assertThrows(RuntimeException.class,
                    () -> TestRuntimes.start(second, sameRepository).close());
            String message = messages(refused);
            assertTrue(message.contains("is in use by another target writer") && message.contains(first.toString())
                    && message.contains("blockferry.target.repository-dir"), "names the owner and the fix: " + message);

            writer.kill();
            assertTrue(Files.readString(repository.resolve(RepositoryLock.FILE)).contains(first.toString()),
                    "the kill -9 left the file with the dead owner's description");
            try (BlockferryRuntime next = TestRuntimes.start(second, sameRepository)) {
                assertTrue(Files.readString(repository.resolve(RepositoryLock.FILE)).contains(second.toString()),
                        "the next writer took the repository and wrote its own description");
                // and this JVM's own second writer is refused too, while the first still runs here
                Path third = Files.createTempDirectory(second.getParent(), "third");
                String again = messages(assertThrows(RuntimeException.class,
                        () -> TestRuntimes.start(third, sameRepository).close()));
                assertTrue(again.contains("is in use by another target writer") && again.contains(second.toString()),
                        again);
            }
        }
    }

    private static String messages(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append(" | ");
        }
        return all.toString();
    }
}
