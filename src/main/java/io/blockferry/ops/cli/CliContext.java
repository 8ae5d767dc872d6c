package io.blockferry.ops.cli;

import io.blockferry.config.Settings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What every subcommand shares: where it prints, the configuration (read when a command first
 * needs it, so --help and completion work without one) and the REST API of a running Blockferry.
 */
public final class CliContext {

    private final PrintStream out;
    private final PrintStream err;
    private final Supplier<ApiConnection> connection;
    private Settings settings;
    private ApiConnection api;

    private CliContext(PrintStream out, PrintStream err, Supplier<ApiConnection> connection) {
        this.out = out;
        this.err = err;
        this.connection = connection;
    }

    /** The configuration file is config/application.properties, or the one BLOCKFERRY_CONFIG names. */
    public static CliContext standard(PrintStream out, PrintStream err) {
        CliContext[] self = new CliContext[1];
        self[0] = new CliContext(out, err, () -> ApiConnection.of(self[0].settings()));
        return self[0];
    }

    /** A context whose API is at {@code baseUrl} with {@code token}, such as a test's Blockferry. */
    public static CliContext of(String baseUrl, String token, PrintStream out, PrintStream err) {
        return new CliContext(out, err, () -> new ApiConnection(baseUrl, token));
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    public synchronized Settings settings() {
        if (settings == null) {
            settings = Settings.load(Path.of(System.getenv().getOrDefault("BLOCKFERRY_CONFIG",
                    "config/application.properties")), Map.of());
        }
        return settings;
    }

    synchronized ApiConnection api() {
        if (api == null) {
            api = connection.get();
        }
        return api;
    }
}
