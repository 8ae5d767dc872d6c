package io.blockferry.schedule;

/** A task that gave its slot back; {@code error} is null when its sync was acked as committed. */
public record FinishedTask(SyncTask task, long finishedAtMillis, String error) {
}
