package io.blockferry.ops.cli;

import io.blockferry.demo.Benchmark;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The benchmark (BENCHMARKS.md). The options are declared here for --help and completion, then
 * handed to the benchmark's own parser unchanged, which keeps its order of precedence: the
 * command line, then BLOCKFERRY_BENCH_* variables, then the defaults.
 */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = {"Blockferry against rbd export-diff | rbd import-diff and a Kafka-only stage on the local "
                + "Ceph: one volume, scattered small writes and four volumes at once, with the broker in and out of "
                + "the process (BENCHMARKS.md).",
                "Each option also reads BLOCKFERRY_BENCH_<OPTION> (upper case, '_' for '-'); the command line wins."},
        footerHeading = "%nEnvironment only:%n",
        footer = {"  BLOCKFERRY_BENCH_IMAGE_PREFIX       prefix of the benchmark's images (default blockferry-bench)",
                "  BLOCKFERRY_BENCH_BROKER_JAVA_OPTS   the child broker's JVM options (default -Xmx1g)"},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {"0:every row ran and every replica was bit-identical to its source snapshot",
                "1:a replica differed from its source snapshot", "2:the options were wrong",
                ExitCodes.ROW_FAILED_LINE})
final class BenchmarkCommand implements Callable<Integer> {

    private final CliContext context;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "SIZE", description = "Size of each image, e.g. 512M or 2G (default 2G).")
    String size;

    @Option(names = "--only", paramLabel = "PARTS", description = "Comma-separated: single,kafka,sparse,four (default all).")
    String only;

    @Option(names = "--broker", paramLabel = "MODE", description = "in, out or both (default both).")
    String broker;

    @Option(names = "--sparse-writes", paramLabel = "N", description = "4 KiB writes per sparse generation (default 2000).")
    String sparseWrites;

    @Option(names = "--sparse-object-size", paramLabel = "SIZE", description = "The sparse image's object size (default 32M).")
    String sparseObjectSize;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Longest wait for one row's acks (default 30m).")
    String timeout;

    @Option(names = "--stall", paramLabel = "DURATION", description = "Give up on a row when nothing moves on the chunk "
            + "topic or in the target's committed offsets for this long (default 2m).")
    String stall;

    BenchmarkCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        List<String> args = new ArrayList<>();
        if (size != null) {
            args.add(size);
        }
        add(args, "--only", only);
        add(args, "--broker", broker);
        add(args, "--sparse-writes", sparseWrites);
        add(args, "--sparse-object-size", sparseObjectSize);
        add(args, "--timeout", timeout);
        add(args, "--stall", stall);
        Benchmark benchmark;
        try {
            benchmark = new Benchmark(context.settings(), args, context.out());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return benchmark.run();
    }

    private static void add(List<String> args, String option, String value) {
        if (value != null) {
            args.add(option);
            args.add(value);
        }
    }
}
