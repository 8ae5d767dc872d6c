package io.blockferry.ops.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.testing.TestRuntimes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line without a Blockferry to talk to: help, usage errors, exit codes, completion. */
class CliHelpTest {

    private static final List<String> COMMANDS = List.of("run", "broker", "demo", "benchmark", "status", "tasks",
            "sync", "points", "policies", "events", "restore", "mount", "mounts", "unmount", "files", "fetch", "completion");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String baseUrl, String... args) {
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        return new Cli(CliContext.of(baseUrl, "no-token", o, e)).execute(args);
    }

    @Test
    void should_give_every_command_a_help_with_its_exit_codes() {
        for (String command : COMMANDS) {
            out.reset();
            assertEquals(0, run("http://127.0.0.1:1", command, "--help"), command);
            String help = out.toString(StandardCharsets.UTF_8);
            assertTrue(help.startsWith("Usage: blockferry " + command), help);
            assertTrue(help.contains("Exit codes:") && help.contains("  2   "), command + ": " + help);
        }
        out.reset();
        assertEquals(0, run("http://127.0.0.1:1", "--help"));
        String top = out.toString(StandardCharsets.UTF_8);
        COMMANDS.forEach(c -> assertTrue(top.contains("  " + c + " "), c + " in " + top));
        assertTrue(top.contains("4   no Blockferry answers"), top);
    }

    @Test
    void should_exit_2_with_the_usage_on_a_wrong_command_line() {
        assertEquals(2, run("http://127.0.0.1:1"));
        assertEquals(2, run("http://127.0.0.1:1", "sideways"));
        assertEquals(2, run("http://127.0.0.1:1", "sync"));
        assertEquals(2, run("http://127.0.0.1:1", "sync", "volumes/a", "--policy", "gold"));
        assertEquals(2, run("http://127.0.0.1:1", "sync", "--policy", "gold", "--full", "--incremental"));
        assertEquals(2, run("http://127.0.0.1:1", "points"));
        assertEquals(2, run("http://127.0.0.1:1", "points", "no-slash"));
        assertEquals(2, run("http://127.0.0.1:1", "policies", "delete"));
        assertEquals(2, run("http://127.0.0.1:1", "benchmark", "--broker", "sideways"));
        String said = err.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("sync needs POOL/IMAGE or --policy NAME"), said);
        assertTrue(said.contains("'no-slash' is not POOL/IMAGE"), said);
        assertTrue(said.contains("--broker must be in, out or both, got 'sideways'"), said);
    }

    @Test
    void should_exit_4_when_no_blockferry_answers() {
        int port = TestRuntimes.freePort();
        assertEquals(4, run("http://127.0.0.1:" + port, "status"));
        assertEquals(4, run("http://127.0.0.1:" + port, "tasks", "--json"));
        String said = err.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("blockferry: no Blockferry answers at http://127.0.0.1:" + port), said);
        assertTrue(!said.contains("Exception") && !said.contains("\tat "), "no stack trace: " + said);
    }

    @Test
    void should_print_a_bash_completion_script_of_every_command_and_option() {
        assertEquals(0, run("http://127.0.0.1:1", "completion"));
        String script = out.toString(StandardCharsets.UTF_8);
        assertTrue(script.contains("complete -F _complete_blockferry -o default blockferry"), script);
        assertTrue(script.contains("complete -F _complete_blockferry -o default bin/blockferry"), script);
        COMMANDS.forEach(c -> assertTrue(script.contains(c), c));
        assertTrue(script.contains("--policy") && script.contains("--json") && script.contains("--sparse-writes"));
    }
}
