package io.blockferry.schedule;

import io.blockferry.source.SyncOptions;
import io.blockferry.source.SyncRequest;

/**
 * One volume's sync waiting for, or holding, a slot of the work queue.
 *
 * @param host        the server the disk belongs to, or the volume itself when it is not a server's disk
 * @param policy      the policy that queued it, or null for a manual, timer or resync request
 * @param interruptedAtMillis when the task had started before a restart interrupted it, or null: its
 *                    generation may have been published, or committed, meanwhile
 */
public record SyncTask(long id, String volumeId, String host, String policy, int priority, boolean full,
                       String trigger, SyncOptions options, long enqueuedAtMillis, Long startedAtMillis,
                       Long interruptedAtMillis) {

    public SyncTask(long id, String volumeId, String host, String policy, int priority, boolean full, String trigger,
                    SyncOptions options, long enqueuedAtMillis, Long startedAtMillis) {
        this(id, volumeId, host, policy, priority, full, trigger, options, enqueuedAtMillis, startedAtMillis, null);
    }

    /** The pool the per-pool caps count: {@code pool} on the default backend, {@code backend:pool} on another. */
    public String pool() {
        io.blockferry.source.VolumeId id = io.blockferry.source.VolumeId.parse(volumeId);
        return id.defaultScheme() ? id.pool() : id.scheme() + ":" + id.pool();
    }

    /** The source backend: the scheme of the volume id. */
    public String backend() {
        return io.blockferry.source.VolumeId.parse(volumeId).scheme();
    }

    public SyncRequest request() {
        return new SyncRequest(volumeId, full, trigger, options);
    }

    SyncTask started(long now) {
        return new SyncTask(id, volumeId, host, policy, priority, full, trigger, options, enqueuedAtMillis, now,
                interruptedAtMillis);
    }

    /** Queued again after a restart; a task that had started remembers when. */
    SyncTask waiting() {
        return new SyncTask(id, volumeId, host, policy, priority, full, trigger, options, enqueuedAtMillis, null,
                startedAtMillis != null ? startedAtMillis : interruptedAtMillis);
    }

    /** This task with a later request for the same volume folded in: full wins, and the higher priority. */
    SyncTask merge(SyncTask later) {
        return new SyncTask(id, volumeId, host, policy, Math.max(priority, later.priority), full || later.full,
                later.full && !full ? later.trigger : trigger, options, enqueuedAtMillis, startedAtMillis,
                interruptedAtMillis);
    }

    public String describe() {
        return "task " + id + " (" + (full ? "full" : "incremental") + " sync of " + volumeId
                + (policy == null ? "" : ", policy " + policy) + ", trigger " + trigger + ")";
    }
}
