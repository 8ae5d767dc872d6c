package io.blockferry.schedule;

import io.blockferry.source.SyncOptions;

/**
 * Where policies and manual requests hand their syncs: this proxy's own {@link WorkQueue}, or,
 * when the proxies of a site share the work, the site's task topic, from which the proxy that owns
 * the volume now queues it.
 */
public interface TaskIntake {

    /**
     * Asks for a sync of {@code volumeId}; requests for a volume already waiting fold into its task.
     *
     * @param host the server the disk belongs to, or null when it is not a server's disk
     * @return the task it became here, or, when it went to the task topic, a task with id 0
     */
    SyncTask submit(String volumeId, String host, String policy, int priority, boolean full, String trigger,
                    SyncOptions options);

    /** Whether a task of {@code policy} is waiting or running (on this proxy). */
    boolean busy(String policy);
}
