package io.blockferry.demo;

import io.blockferry.demo.BenchOptions.BrokerMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Everything one invocation measured and checked, and the exit code it earns. */
final class Results {

    /** Every replica was bit-identical to its source and every row ran. */
    static final int OK = 0;
    /** A replica differed from its source snapshot. */
    static final int REPLICA_DIFFERS = 1;
    /** No replica differed, but some row (or a whole broker mode) failed. */
    static final int ROW_FAILED = 3;

    private final List<Row> rows = new ArrayList<>();
    private final List<ReplicaCheck> checks = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    synchronized void add(Row row) {
        rows.add(row);
    }

    synchronized void add(ReplicaCheck check) {
        checks.add(check);
    }

    /** Something that stopped a part or a mode without being one row (e.g. the broker did not start). */
    synchronized void failed(String what) {
        failures.add(what);
    }

    synchronized List<Row> rows() {
        return List.copyOf(rows);
    }

    synchronized List<ReplicaCheck> checks() {
        return List.copyOf(checks);
    }

    synchronized List<String> failures() {
        return List.copyOf(failures);
    }

    synchronized Optional<Row> find(BrokerMode broker, Row.Kind kind) {
        return rows.stream().filter(r -> r.broker() == broker && r.kind() == kind).findFirst();
    }

    synchronized int exitCode() {
        if (checks.stream().anyMatch(c -> !c.identical())) {
            return REPLICA_DIFFERS;
        }
        return failures.isEmpty() && rows.stream().allMatch(Row::ok) ? OK : ROW_FAILED;
    }
}
