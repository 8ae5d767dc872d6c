package io.blockferry.target;

/**
 * A generation the target committed: restorable from its diff chain, and the replica's state when
 * newest. {@code keepPoints} is the retention its BEGIN asked for (0: the target's default).
 * {@code receivedAtMillis} is when its BEGIN arrived and {@code createdAtMillis} when it was
 * committed; {@code sourceCreatedAtMillis} is when the source made its BEGIN, by the source's clock
 * (0 when unknown, for points of an earlier release).
 */
public record RecoveryPoint(String volumeId, long generation, String snapshot, String baseSnapshot, String mode,
                            long imageSize, long dataBytes, long zeroBytes, long dataChunks, long zeroChunks,
                            String manifestDigest, String state, long createdAtMillis, int keepPoints,
                            long receivedAtMillis, long sourceCreatedAtMillis, String sourceSite) {

    public RecoveryPoint {
        sourceSite = sourceSite == null ? "" : sourceSite;
    }

    /** A point of a source that named no site (before chunk record version 5). */
    public RecoveryPoint(String volumeId, long generation, String snapshot, String baseSnapshot, String mode,
                         long imageSize, long dataBytes, long zeroBytes, long dataChunks, long zeroChunks,
                         String manifestDigest, String state, long createdAtMillis, int keepPoints,
                         long receivedAtMillis, long sourceCreatedAtMillis) {
        this(volumeId, generation, snapshot, baseSnapshot, mode, imageSize, dataBytes, zeroBytes, dataChunks,
                zeroChunks, manifestDigest, state, createdAtMillis, keepPoints, receivedAtMillis, sourceCreatedAtMillis,
                "");
    }

    public static final String APPLYING = "APPLYING";
    public static final String COMMITTED = "COMMITTED";

    public boolean committed() {
        return COMMITTED.equals(state);
    }
}
