package io.blockferry.source;

/**
 * What the source remembers about a volume between syncs: the confirmed base snapshot (acked by
 * the target), and the generation in flight, if any.
 */
public record VolumeState(String volumeId, String imageId, String baseSnapshot, long baseGeneration, long baseSize,
                          long lastGeneration, String pendingSnapshot, long pendingGeneration, long pendingSize,
                          long pendingSinceMillis, String fullResyncCause, String lastError, long baseAckedAtMillis,
                          long pendingPublishedAtMillis) {

    public static VolumeState fresh(String volumeId) {
        return new VolumeState(volumeId, null, null, 0, 0, 0, null, 0, 0, 0, null, null, 0, 0);
    }

    /** Every record of the pending generation is in Kafka; only the target's answer can end it. */
    public boolean pendingPublished() {
        return pendingPublishedAtMillis > 0;
    }

    public boolean hasBase() {
        return baseSnapshot != null;
    }

    public boolean hasPending() {
        return pendingSnapshot != null;
    }
}
