package io.blockferry.ops;

/** A volume as the API shows it: its sync state and recovery-point objective. */
public record VolumeView(String volumeId, String baseSnapshot, long baseGeneration, Long pendingGeneration,
                         String lastSyncAt, Long rpoSeconds, String fullResyncCause, String lastError) {
}
