package io.blockferry.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/**
 * A subcommand that calls the REST API of a running Blockferry: it prints a table, or with
 * {@code --json} the API's answer as it came, for scripts.
 */
abstract class ApiCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    protected final CliContext context;

    @Option(names = "--json", description = "Print the API's JSON answer instead of a table.")
    boolean json;

    ApiCommand(CliContext context) {
        this.context = context;
    }

    /** Calls the API; the answer is what --json prints. */
    abstract JsonNode fetch(ApiConnection api);

    /** Prints the answer for a person. */
    abstract void print(JsonNode answer);

    @Override
    public Integer call() throws Exception {
        JsonNode answer = fetch(context.api());
        if (json) {
            context.out().println(JSON.writeValueAsString(answer));
        } else {
            print(answer);
        }
        return ExitCodes.OK;
    }
}
