package io.blockferry.schedule;

import io.blockferry.source.SyncRequest;
import java.util.List;

/**
 * Queues the syncs that do not come from a policy run: REST and CLI requests, resyncs asked for
 * by the target or by verification, and the timer of statically configured volumes.
 */
public final class TaskSubmitter {

    private final WorkQueue queue;
    private final PolicyRegistry policies;
    private final int manualPriority;

    /** @param manualPriority the priority of a sync an operator asks for (above the policies' usual 50) */
    public TaskSubmitter(WorkQueue queue, PolicyRegistry policies, int manualPriority) {
        this.queue = queue;
        this.policies = policies;
        this.manualPriority = manualPriority;
    }

    public SyncTask submit(SyncRequest r) {
        String policy = r.options().policy();
        int priority = r.trigger().equals("api") ? manualPriority
                : policy == null ? 50 : policies.find(policy).map(Policy::priority).orElse(50);
        return queue.submit(r.volumeId(), null, policy, priority, r.full(), r.trigger(), r.options());
    }

    public void submitAll(List<SyncRequest> requests) {
        requests.forEach(this::submit);
    }
}
