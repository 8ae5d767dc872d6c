package io.blockferry.ops;

/**
 * A volume as the API shows it: its sync state and recovery-point age.
 *
 * @param policy the policy that last synced it (its options, rpo included, apply to its resyncs), or null
 */
public record VolumeView(String volumeId, String baseSnapshot, long baseGeneration, Long pendingGeneration,
                         String lastSyncAt, Long rpoSeconds, String fullResyncCause, String lastError, String policy) {
}
