package io.blockferry.schedule;

import io.blockferry.source.SyncOptions;
import io.blockferry.store.Database;
import java.util.List;
import java.util.function.Function;

/** The queued and running tasks, in the source's state store, so a restart does not lose them. */
public final class TaskStore {

    public static final List<String> SCHEMA = List.of("""
            CREATE TABLE IF NOT EXISTS sync_task (
              id BIGINT PRIMARY KEY,
              volume_id VARCHAR(512) NOT NULL,
              host VARCHAR(512) NOT NULL,
              policy VARCHAR(64),
              priority INT NOT NULL,
              full_sync BOOLEAN NOT NULL,
              sync_trigger VARCHAR(256) NOT NULL,
              enqueued_at BIGINT NOT NULL,
              started_at BIGINT)""",
            "ALTER TABLE sync_task ADD COLUMN IF NOT EXISTS interrupted_at BIGINT");

    private final Database db;

    public TaskStore(Database db) {
        this.db = db;
    }

    void save(SyncTask t) {
        db.update("MERGE INTO sync_task (id, volume_id, host, policy, priority, full_sync, sync_trigger, enqueued_at, "
                + "started_at, interrupted_at) KEY (id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", t.id(), t.volumeId(),
                t.host(), t.policy(), t.priority(), t.full(), t.trigger(), t.enqueuedAtMillis(), t.startedAtMillis(),
                t.interruptedAtMillis());
    }

    /**
     * Forgets every stored task: a proxy that shares the work finds its tasks on the task topic
     * again (their records stay uncommitted until they finish), not in its own store.
     */
    public void clear() {
        db.update("DELETE FROM sync_task");
    }

    void delete(long id) {
        db.update("DELETE FROM sync_task WHERE id = ?", id);
    }

    /**
     * The stored tasks; their options come from the policy as it is now (the policy file may have
     * changed while the proxy was down), or the defaults when the policy has gone.
     */
    List<SyncTask> load(Function<String, SyncOptions> optionsOfPolicy) {
        return db.query("SELECT * FROM sync_task ORDER BY id", rs -> {
            long started = rs.getLong("started_at");
            Long startedAt = rs.wasNull() ? null : started;
            long interrupted = rs.getLong("interrupted_at");
            Long interruptedAt = rs.wasNull() ? null : interrupted;
            String policy = rs.getString("policy");
            return new SyncTask(rs.getLong("id"), rs.getString("volume_id"), rs.getString("host"), policy,
                    rs.getInt("priority"), rs.getBoolean("full_sync"), rs.getString("sync_trigger"),
                    policy == null ? SyncOptions.DEFAULTS : optionsOfPolicy.apply(policy), rs.getLong("enqueued_at"),
                    startedAt, interruptedAt);
        });
    }
}
