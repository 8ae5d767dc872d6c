package io.blockferry.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database several processes share (the catalog of writers sharing a repository, H2's mixed
 * mode): when the process serving the file is killed -9, the others (here two, racing to serve it
 * next) go on with their statements and transactions, and nothing committed is lost.
 */
class SharedDatabaseTest {

    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE IF NOT EXISTS counters (name VARCHAR(64) PRIMARY KEY, n BIGINT NOT NULL)");
    private static final int COUNTS = 60;

    @TempDir
    Path dir;

    /**
     * A process of its own, told by lines on its standard input: {@code serve FILE} opens the file
     * first and serves it until it is killed (or its input ends); {@code count FILE NAME} counts to
     * half of {@link #COUNTS} in its row, one synced transaction at a time, says so, and counts the
     * rest once told that the server is dead.
     */
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (Database db = Database.openShared(Path.of(args[1]), SCHEMA)) {
            System.out.println("open");
            if (args[0].equals("serve")) {
                in.readLine();
                return;
            }
            for (int i = 1; i <= COUNTS; i++) {
                count(db, args[2]);
                if (i == COUNTS / 2) {
                    System.out.println("half");
                    in.readLine();
                }
            }
            System.out.println("counted");
        } catch (RuntimeException e) {
            System.out.println("failed: " + e);
        }
    }

    private static void count(Database db, String name) {
        db.inTransaction(() -> {
            db.update("MERGE INTO counters KEY (name) VALUES (?, 0)", name + ".pending");
            db.update("UPDATE counters SET n = n + 1 WHERE name = ?", name + ".pending");
            db.update("MERGE INTO counters KEY (name) VALUES (?, COALESCE((SELECT n FROM counters WHERE name = ?), 0) + 1)",
                    name, name);
            db.update("DELETE FROM counters WHERE name = ?", name + ".pending");
        });
        // as the catalog does after a commit that matters: H2 writes commits in the background
        db.sync();
    }

    @Test
    void should_go_on_and_keep_every_commit_when_the_serving_process_is_killed() throws Exception {
        Path file = dir.resolve("catalog");
        Process server = start("serve", file, "-");
        Process other = null;
        try (Database here = Database.openShared(file, SCHEMA)) {
            other = start("count", file, "other");
            for (int i = 1; i <= COUNTS / 2; i++) {
                count(here, "here");
            }
            assertEquals("half", nextLine(other), "the other client's first half");
            server.destroyForcibly(); // SIGKILL: nothing closes the file; both clients race to serve it
            assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the serving process did not die");
            other.getOutputStream().write("the server is dead\n".getBytes(StandardCharsets.UTF_8));
            other.getOutputStream().flush();
            for (int i = COUNTS / 2 + 1; i <= COUNTS; i++) {
                count(here, "here");
            }
            assertEquals("counted", lastLine(other), "the other client's counting");
            assertEquals(List.of("here=" + COUNTS, "other=" + COUNTS), rows(here));
        } finally {
            server.destroyForcibly();
            if (other != null) {
                other.destroyForcibly();
            }
        }
        try (Database alone = Database.openShared(file, SCHEMA)) {
            assertEquals(List.of("here=" + COUNTS, "other=" + COUNTS), rows(alone), "what the file holds");
        }
    }

    /** Starts {@link #main} in a JVM of its own and returns once it has the database open. */
    private static Process start(String mode, Path file, String name) throws IOException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SharedDatabaseTest.class.getName(), mode,
                file.toString(), name).redirectErrorStream(true).start();
        String line = nextLine(p);
        assertEquals("open", line, "the " + mode + " process stopped before it opened the database");
        return p;
    }

    private static String lastLine(Process p) throws Exception {
        String last = null;
        for (String line = nextLine(p); line != null; line = nextLine(p)) {
            System.out.println("other: " + line);
            last = line;
        }
        p.waitFor(30, TimeUnit.SECONDS);
        return last;
    }

    private static String nextLine(Process p) throws IOException {
        // one reader per process, kept with it: a second reader would lose what the first buffered
        return READERS.computeIfAbsent(p, k -> new BufferedReader(new InputStreamReader(k.getInputStream(),
                StandardCharsets.UTF_8))).readLine();
    }

    private static final java.util.Map<Process, BufferedReader> READERS = new java.util.concurrent.ConcurrentHashMap<>();

    private static List<String> rows(Database db) {
        return db.query("SELECT name, n FROM counters ORDER BY name", row -> row.getString(1) + "=" + row.getLong(2));
    }
}
