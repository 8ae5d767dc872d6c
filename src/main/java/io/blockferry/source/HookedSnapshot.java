package io.blockferry.source;

/**
 * A generation's snapshot between the policy's hooks: the pre-snapshot hook (a guest freeze), the
 * snapshot, and the post-snapshot hook (the thaw). The thaw runs as soon as the snapshot exists, and
 * whenever the freeze started, even when it or the snapshot failed: a guest is never left frozen.
 * A thaw that fails with {@code on-failure: abort} undoes the generation it follows.
 */
public final class HookedSnapshot {

    private final SnapshotHooks hooks;
    private final GenerationPlanner planner;

    public HookedSnapshot(SnapshotHooks hooks, GenerationPlanner planner) {
        this.hooks = hooks;
        this.planner = planner;
    }

    public PlannedGeneration take(SyncRequest request) {
        PlannedGeneration planned = null;
        try {
            hooks.beforeSnapshot(request);
            planned = planner.snapshot(request);
        } finally {
            try {
                hooks.afterSnapshot(request, planned);
            } catch (RuntimeException e) {
                if (planned != null) {
                    planner.abandon(planned, null, e.getMessage(), null);
                }
                throw e;
            }
        }
        return planned;
    }
}
