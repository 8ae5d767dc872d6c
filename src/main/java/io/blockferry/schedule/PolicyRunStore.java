package io.blockferry.schedule;

import io.blockferry.store.Database;
import java.util.List;
import java.util.Optional;

/** How many times each policy ran, and when it last fired: for full-every and for fires missed while down. */
public final class PolicyRunStore {

    public static final List<String> SCHEMA = List.of("""
            CREATE TABLE IF NOT EXISTS policy_run (
              policy VARCHAR(64) PRIMARY KEY,
              runs BIGINT NOT NULL,
              last_fire BIGINT NOT NULL)""");

    private final Database db;

    public PolicyRunStore(Database db) {
        this.db = db;
    }

    /** Counts a run that fired at {@code atMillis} and returns its number, from 1. */
    public synchronized long record(String policy, long atMillis) {
        long runs = db.queryOne("SELECT runs FROM policy_run WHERE policy = ?", rs -> rs.getLong(1), policy).orElse(0L)
                + 1;
        db.update("MERGE INTO policy_run (policy, runs, last_fire) KEY (policy) VALUES (?, ?, ?)", policy, runs,
                atMillis);
        return runs;
    }

    public Optional<Long> lastFire(String policy) {
        return db.queryOne("SELECT last_fire FROM policy_run WHERE policy = ?", rs -> rs.getLong(1), policy);
    }
}
