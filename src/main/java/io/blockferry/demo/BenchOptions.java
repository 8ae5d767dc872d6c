package io.blockferry.demo;

import io.blockferry.config.Units;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What one benchmark invocation runs. The command line wins over the environment, which wins over
 * the defaults, so a recorded run is one command and a developer can run one part quickly.
 *
 * @param size             each image's size (the sparse image's too)
 * @param parts            which parts run, always in the order of {@link Part}
 * @param brokers          with the broker in this JVM, in a child JVM, or both (in that order)
 * @param sparseWrites     how many scattered 4 KiB writes the sparse case makes per generation
 * @param sparseObjectSize the sparse image's RBD object size (the case is 32 MiB)
 * @param timeout          how long one row may wait for its acks before it is a failed row
 * @param stall            how long a row may see no progress on the chunk topic before it is a failed row
 * @param imagePrefix      prefix of every image the benchmark makes (two runs on one cluster need two)
 * @param brokerJavaOpts   JVM options of the out-of-process broker
 */
record BenchOptions(long size, Set<Part> parts, List<BrokerMode> brokers, int sparseWrites, long sparseObjectSize,
                    Duration timeout, Duration stall, String imagePrefix, List<String> brokerJavaOpts) {

    /** The benchmark's parts, in the order they run within one broker mode. */
    enum Part {
        /** One volume: baseline and Blockferry full (cold and warm) and incremental. */
        SINGLE,
        /** The Kafka-only stage for the single and four-volume rows (same bytes, same broker). */
        KAFKA,
        /** Scattered 4 KiB writes: bytes sent against bytes written. */
        SPARSE,
        /** Four volumes at once against four baseline pipes at once. */
        FOUR,
        /** A chain break with 1% of the chunks changed: a full resync against a checksum resync. */
        RESYNC,
        /** The same diffs applied to the DR cluster by rbd import-diff and by the DR replica. */
        DR,
        /** Six volumes at once to one, two and three writers sharing a repository (out-of-process broker only). */
        WRITERS
    }

    /** Where the Kafka broker runs. */
    enum BrokerMode {
        IN("in process"),
        OUT("out of process");

        final String label;

        BrokerMode(String label) {
            this.label = label;
        }

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final String USAGE = """
            usage: blockferry benchmark [SIZE] [--only PARTS] [--broker in|out|both] [--sparse-writes N]
                                        [--sparse-object-size SIZE] [--timeout DURATION] [--stall DURATION]
              SIZE                  size of each image, e.g. 512M or 2G (default 2G; BLOCKFERRY_BENCH_SIZE)
              --only PARTS          comma-separated: single,kafka,sparse,four,resync,dr,writers (default all;
                                    BLOCKFERRY_BENCH_ONLY); writers runs with the out-of-process broker only;
                                    dr needs a DR cluster (eval "$(scripts/ceph-dev.sh --cluster dr target-env)")
              --broker MODE         in, out or both (default both; BLOCKFERRY_BENCH_BROKER)
              --sparse-writes N     4 KiB writes per sparse generation (default 2000; BLOCKFERRY_BENCH_SPARSE_WRITES)
              --sparse-object-size  the sparse image's object size (default 32M; BLOCKFERRY_BENCH_SPARSE_OBJECT_SIZE)
              --timeout DURATION    longest wait for one row's acks (default 30m; BLOCKFERRY_BENCH_TIMEOUT)
              --stall DURATION      give up on a row when nothing moves on the chunk topic or in the target's
                                    committed offsets for this long (default 2m; BLOCKFERRY_BENCH_STALL)
            Environment only: BLOCKFERRY_BENCH_IMAGE_PREFIX (default blockferry-bench),
              BLOCKFERRY_BENCH_BROKER_JAVA_OPTS (the child broker's JVM options, default -Xmx1g).
            """;

    static BenchOptions parse(List<String> args, Map<String, String> env) {
        Map<String, String> given = new java.util.HashMap<>();
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--")) {
                String name = a.substring(2);
                String value;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new IllegalArgumentException("option --" + name + " needs a value");
                }
                if (!List.of("only", "broker", "sparse-writes", "sparse-object-size", "timeout", "stall").contains(name)) {
                    throw new IllegalArgumentException("unknown option --" + name);
                }
                given.put(name, value);
            } else {
                positional.add(a);
            }
        }
        if (positional.size() > 1) {
            throw new IllegalArgumentException("one SIZE at most, got " + positional);
        }
        if (!positional.isEmpty()) {
            given.put("size", positional.get(0));
        }
        java.util.function.Function<String, String> value = name -> given.getOrDefault(name,
                env.get("BLOCKFERRY_BENCH_" + name.toUpperCase(Locale.ROOT).replace('-', '_')));
        long size = size(value.apply("size"), 2L << 30, "SIZE");
        if (size < 64L << 20) {
            throw new IllegalArgumentException("SIZE must be at least 64M, got " + value.apply("size"));
        }
        long objectSize = size(value.apply("sparse-object-size"), 32L << 20, "--sparse-object-size");
        if (Long.bitCount(objectSize) != 1 || objectSize < 4096 || objectSize > 32L << 20) {
            throw new IllegalArgumentException("--sparse-object-size must be a power of two from 4K to 32M");
        }
        int writes = count(value.apply("sparse-writes"), 2000, "--sparse-writes");
        if (writes < 1 || (long) writes * 4096 > size / 2) {
            throw new IllegalArgumentException("--sparse-writes must be from 1 to a half of SIZE in 4 KiB writes");
        }
        Duration timeout = duration(value.apply("timeout"), Duration.ofMinutes(30), "--timeout");
        Duration stall = duration(value.apply("stall"), Duration.ofMinutes(2), "--stall");
        String prefix = env.getOrDefault("BLOCKFERRY_BENCH_IMAGE_PREFIX", "blockferry-bench");
        String brokerOpts = env.getOrDefault("BLOCKFERRY_BENCH_BROKER_JAVA_OPTS", "-Xmx1g").trim();
        return new BenchOptions(size, parts(value.apply("only")), brokers(value.apply("broker")), writes, objectSize,
                timeout, stall, prefix, brokerOpts.isEmpty() ? List.of() : List.of(brokerOpts.split("\\s+")));
    }

    boolean runs(Part part) {
        return parts.contains(part);
    }

    private static long size(String text, long fallback, String what) {
        if (text == null) {
            return fallback;
        }
        try {
            return Units.bytes(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage());
        }
    }

    private static Duration duration(String text, Duration fallback, String what) {
        try {
            return text == null ? fallback : Units.duration(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage());
        }
    }

    private static int count(String text, int fallback, String what) {
        try {
            return text == null ? fallback : Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a whole number, got '" + text + "'");
        }
    }

    private static Set<Part> parts(String text) {
        if (text == null || text.isBlank() || text.equals("all")) {
            return EnumSet.allOf(Part.class);
        }
        Set<Part> parts = EnumSet.noneOf(Part.class);
        for (String p : text.split(",")) {
            try {
                parts.add(Part.valueOf(p.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--only: unknown part '" + p.trim() + "' (single, kafka, sparse, four, resync, dr, writers)");
            }
        }
        return parts;
    }

    private static List<BrokerMode> brokers(String text) {
        return switch (text == null ? "both" : text.trim().toLowerCase(Locale.ROOT)) {
            case "both" -> List.of(BrokerMode.IN, BrokerMode.OUT);
            case "in" -> List.of(BrokerMode.IN);
            case "out" -> List.of(BrokerMode.OUT);
            default -> throw new IllegalArgumentException("--broker must be in, out or both, got '" + text + "'");
        };
    }
}
