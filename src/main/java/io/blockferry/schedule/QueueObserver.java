package io.blockferry.schedule;

/** What the work queue tells about its tasks: how long they waited for a slot (metrics), and their end. */
public interface QueueObserver {

    QueueObserver NONE = (task, waitedMillis) -> { };

    void started(SyncTask task, long waitedMillis);

    /** The task left the queue: it ran (whatever its outcome), or it waited past the maximum wait. */
    default void finished(SyncTask task) {
    }
}
