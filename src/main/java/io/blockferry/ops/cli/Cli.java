package io.blockferry.ops.cli;

import io.blockferry.config.ConfigurationException;
import io.blockferry.ceph.CephException;
import io.blockferry.transport.KafkaUnavailableException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;

/**
 * The {@code blockferry} command line on picocli: one class per subcommand, each with --help and
 * the exit codes of {@link ExitCodes}. A failure prints {@code blockferry: MESSAGE} on standard
 * error, never a stack trace.
 */
public final class Cli {

    private final CliContext context;

    Cli(CliContext context) {
        this.context = context;
    }

    /** The CLI of this process: the configuration file and the running Blockferry it names. */
    public static Cli standard() {
        return new Cli(CliContext.standard(System.out, System.err));
    }

    /** A CLI talking to the API at {@code baseUrl}, such as http://127.0.0.1:8080. */
    public static Cli connect(String baseUrl, String token, PrintStream out) {
        return new Cli(CliContext.of(baseUrl, token, out, out));
    }

    /** Runs a command line; returns its exit code. */
    public int execute(String... args) {
        return commandLine(null).execute(args);
    }

    /**
     * Runs a command line; a failure is thrown as a {@link CliException} (for tests and callers
     * that want the message rather than an exit code).
     */
    public void run(List<String> args) {
        CliException[] failure = new CliException[1];
        int code = commandLine(failure).execute(args.toArray(String[]::new));
        if (failure[0] != null) {
            throw failure[0];
        }
        if (code != ExitCodes.OK) {
            throw new CliException("exit code " + code, code);
        }
    }

    private CommandLine commandLine(CliException[] failure) {
        CommandLine cli = new CommandLine(new BlockferryCommand(), new Factory(context));
        cli.setUsageHelpWidth(100);
        cli.setOut(new PrintWriter(context.out(), true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(context.err(), true, StandardCharsets.UTF_8));
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            CliException known = known(e);
            if (known == null) {
                throw e;
            }
            if (failure != null) {
                failure[0] = known;
            } else {
                for (String problem : known.getMessage().split("\n")) {
                    line.getErr().println("blockferry: " + problem); // one line per problem (a configuration's several)
                }
            }
            return known.exitCode();
        });
        return cli;
    }

    /** The failures an operator can act on from their message; anything else is a bug and keeps its trace. */
    private static CliException known(Exception e) {
        if (e instanceof CliException c) {
            return c;
        }
        if (e instanceof ConfigurationException || e instanceof CephException
                || e instanceof KafkaUnavailableException) {
            return new CliException(e.getMessage());
        }
        return null;
    }

    /** Makes each subcommand with the shared context. */
    private record Factory(CliContext context) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                Constructor<K> withContext = type.getDeclaredConstructor(CliContext.class);
                return withContext.newInstance(context);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }
}
