package io.blockferry.schedule;

/** What the work queue tells metrics about: how long tasks waited for a slot. */
public interface QueueObserver {

    QueueObserver NONE = (task, waitedMillis) -> { };

    void started(SyncTask task, long waitedMillis);
}
