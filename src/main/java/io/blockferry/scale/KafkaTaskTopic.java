package io.blockferry.scale;

import io.blockferry.schedule.SyncTask;
import io.blockferry.schedule.TaskIntake;
import io.blockferry.security.JsonRecordAuth;
import io.blockferry.source.SyncOptions;
import java.time.Clock;

/**
 * Hands syncs to the site's task topic, keyed by volume, instead of this proxy's queue: the proxy
 * that owns the volume's partition queues it (see {@link ProxyGroupMember}). A request returns once
 * Kafka has it, so an accepted request survives the death of any one proxy.
 */
final class KafkaTaskTopic implements TaskIntake {

    private final SignedRecords records;
    private final String topic;
    private final TaskIntake local;
    private final Clock clock;

    /** @param local this proxy's own queue, which answers {@link #busy} for the runs it holds */
    KafkaTaskTopic(SignedRecords records, String topic, TaskIntake local, Clock clock) {
        this.records = records;
        this.topic = topic;
        this.local = local;
        this.clock = clock;
    }

    @Override
    public SyncTask submit(String volumeId, String host, String policy, int priority, boolean full, String trigger,
                           SyncOptions options) {
        long now = clock.millis();
        records.send(topic, JsonRecordAuth.TASKS, volumeId,
                new TaskRecord(volumeId, host, policy, priority, full, trigger, now).encode(),
                "the sync of " + volumeId + " (" + trigger + ") was not queued: ask again once Kafka answers");
        return new SyncTask(0, volumeId, host == null ? volumeId : host, policy, priority, full, trigger, options, now,
                null);
    }

    @Override
    public boolean busy(String policy) {
        return local.busy(policy);
    }
}
