package io.blockferry.ops;

import io.blockferry.schedule.FinishedTask;
import io.blockferry.schedule.SyncTask;
import io.blockferry.schedule.WorkQueue;
import io.blockferry.source.SyncProgress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The REST API of the work queue: running tasks with their progress, those waiting, and the last finished. */
public final class TaskApi {

    /** A task as the API shows it (times in ISO-8601 UTC); {@code progress} is null until its data flows. */
    public record TaskView(long id, String volumeId, String policy, int priority, String mode, String trigger,
                           String enqueuedAt, String startedAt, long waitedSeconds, SyncProgress.Snapshot progress,
                           String finishedAt, String error) {
    }

    private final WorkQueue queue;
    private final SyncProgress progress;

    public TaskApi(WorkQueue queue, SyncProgress progress) {
        this.queue = queue;
        this.progress = progress;
    }

    public Map<String, List<TaskView>> tasks() {
        Map<String, SyncProgress.Snapshot> flowing = progress.running().stream()
                .collect(Collectors.toMap(SyncProgress.Snapshot::volumeId, Function.identity(), (a, b) -> a));
        long now = System.currentTimeMillis();
        Map<String, List<TaskView>> out = new LinkedHashMap<>();
        out.put("running", queue.running().stream().map(t -> view(t, flowing.get(t.volumeId()), now)).toList());
        out.put("queued", queue.queued().stream().map(t -> view(t, null, now)).toList());
        out.put("recent", queue.recent().stream().map(f -> finished(f, now)).toList());
        return out;
    }

    private static TaskView finished(FinishedTask f, long now) {
        TaskView v = view(f.task(), null, now);
        return new TaskView(v.id(), v.volumeId(), v.policy(), v.priority(), v.mode(), v.trigger(), v.enqueuedAt(),
                v.startedAt(), v.waitedSeconds(), null, Instant.ofEpochMilli(f.finishedAtMillis()).toString(), f.error());
    }

    private static TaskView view(SyncTask t, SyncProgress.Snapshot p, long now) {
        long waitedUntil = t.startedAtMillis() == null ? now : t.startedAtMillis();
        return new TaskView(t.id(), t.volumeId(), t.policy(), t.priority(), t.full() ? "full" : "incremental",
                t.trigger(), Instant.ofEpochMilli(t.enqueuedAtMillis()).toString(),
                t.startedAtMillis() == null ? null : Instant.ofEpochMilli(t.startedAtMillis()).toString(),
                (waitedUntil - t.enqueuedAtMillis()) / 1000, p, null, null);
    }
}
