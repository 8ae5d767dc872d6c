package io.blockferry.schedule;

import io.blockferry.source.SyncRequest;
import java.util.List;
import java.util.function.Function;

/**
 * Queues the syncs that do not come from a policy run: REST and CLI requests, resyncs asked for
 * by the target or by verification, and the timer of statically configured volumes.
 */
public final class TaskSubmitter {

    private final TaskIntake queue;
    private final PolicyRegistry policies;
    private final int manualPriority;
    private final Function<String, String> storedPolicyOf;
    private final java.util.function.BooleanSupplier leads;

    /**
     * @param manualPriority the priority of a sync an operator asks for (above the policies' usual 50)
     * @param storedPolicyOf the policy of the volume's last policy sync, as the state store has it
     */
    public TaskSubmitter(TaskIntake queue, PolicyRegistry policies, int manualPriority,
                         Function<String, String> storedPolicyOf) {
        this(queue, policies, manualPriority, storedPolicyOf, () -> true);
    }

    /** @param leads whether this proxy leads its site's schedules (always, when it works alone) */
    public TaskSubmitter(TaskIntake queue, PolicyRegistry policies, int manualPriority,
                         Function<String, String> storedPolicyOf, java.util.function.BooleanSupplier leads) {
        this.leads = leads;
        this.queue = queue;
        this.policies = policies;
        this.manualPriority = manualPriority;
        this.storedPolicyOf = storedPolicyOf;
    }

    /**
     * Queues a request. One without a policy (a resync, a REST sync) takes the options of the
     * policy that last synced the volume (stored with its state), so its retention and hooks still apply.
     */
    public SyncTask submit(SyncRequest r) {
        Policy owner = policyOf(r.volumeId(), r.options().policy());
        String policy = owner == null ? null : owner.name();
        int priority = r.trigger().equals("api") ? manualPriority : owner == null ? 50 : owner.priority();
        return queue.submit(r.volumeId(), null, policy, priority, r.full(), r.trigger(),
                owner == null ? r.options() : owner.options());
    }

    /**
     * The policy whose options a sync of the volume takes: the one named, or else the one that last
     * synced the volume (stored with its state); null when neither is in the policy file now.
     */
    public Policy policyOf(String volumeId, String named) {
        String policy = named != null ? named : storedPolicyOf.apply(volumeId);
        return policy == null ? null : policies.find(policy).orElse(null);
    }

    /**
     * The static-volume timer's requests. When the proxies of a site share the work, only the one
     * that leads the schedules queues them, as for the policies: once per site, not once per proxy.
     */
    public void submitAll(List<SyncRequest> requests) {
        if (leads.getAsBoolean()) {
            requests.forEach(this::submit);
        }
    }
}
