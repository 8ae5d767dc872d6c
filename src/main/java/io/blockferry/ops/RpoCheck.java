package io.blockferry.ops;

import io.blockferry.source.VolumeState;
import io.blockferry.source.VolumeStateStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The rpo-check route's step: every volume the source has synced whose policy (the one that last
 * synced it, remembered in the source state) sets an {@code rpo}, measured by {@link RpoWatch},
 * and the result exported as metrics.
 */
public final class RpoCheck {

    private final VolumeStateStore states;
    private final Function<String, Optional<Duration>> objectiveOfPolicy;
    private final RpoWatch watch;
    private final BlockferryMetrics metrics;

    /** @param objectiveOfPolicy the {@code rpo} of a policy in force, empty when it sets none or is gone */
    public RpoCheck(VolumeStateStore states, Function<String, Optional<Duration>> objectiveOfPolicy, RpoWatch watch,
                    BlockferryMetrics metrics) {
        this.states = states;
        this.objectiveOfPolicy = objectiveOfPolicy;
        this.watch = watch;
        this.metrics = metrics;
    }

    public List<RpoStatus> run() {
        List<RpoWatch.Watched> watched = new ArrayList<>();
        for (VolumeState s : states.all()) {
            String policy = states.policyOf(s.volumeId());
            if (policy != null) {
                objectiveOfPolicy.apply(policy).ifPresent(rpo -> watched.add(
                        new RpoWatch.Watched(s.volumeId(), policy, rpo, s.baseAckedAtMillis())));
            }
        }
        List<RpoStatus> statuses = watch.check(watched);
        metrics.rpoChecked(statuses);
        return statuses;
    }

    /** The last check's statuses, for the REST API (GET /api/rpo). */
    public List<RpoStatus> statuses() {
        return watch.statuses();
    }
}
