package io.blockferry.source;

import io.blockferry.events.Causes;
import io.blockferry.transport.SyncMode;
import java.util.List;

/**
 * Decides whether a volume's next generation can be an incremental on its base snapshot, and
 * if not, names why. The causes are the chain-break names operators see in events and logs.
 */
public final class ChainDecision {

    /**
     * The outcome: the mode, the cause shown to operators, and the base an incremental builds on.
     * {@code checksumOn} is the target's point a checksum resync builds on (0: not one): an
     * incremental on {@code baseSnapshot} that reads the whole volume and sends only the chunks
     * that differ from that point's sums.
     */
    public record Plan(SyncMode mode, String cause, String baseSnapshot, long checksumOn) {
        public Plan(SyncMode mode, String cause, String baseSnapshot) {
            this(mode, cause, baseSnapshot, 0);
        }

        static Plan full(String cause) {
            return new Plan(SyncMode.FULL, cause, null);
        }

        /** The plan of a chain break resynced by checksum on a target point. */
        static Plan checksum(String cause, long targetGeneration, String targetSnapshot) {
            return new Plan(SyncMode.INCREMENTAL, cause, targetSnapshot, targetGeneration);
        }

        public boolean checksumResync() {
            return checksumOn > 0;
        }
    }

    private ChainDecision() {
    }

    public static Plan decide(VolumeState state, SyncRequest request, String imageId, long imageSize,
                              List<String> snapshotsOnImage) {
        return decide(state, request, imageId, imageSize, snapshotsOnImage, null);
    }

    /**
     * @param hintCause a chain-break cause the OpenStack inventory noted for the volume (see
     *                  {@link ChainHints}), or null. It wins over what the image itself shows, as it
     *                  says why the chain broke; the checks below still catch breaks nobody hinted.
     */
    public static Plan decide(VolumeState state, SyncRequest request, String imageId, long imageSize,
                              List<String> snapshotsOnImage, String hintCause) {
        if (request.full()) {
            return Plan.full(Causes.REQUESTED.wire());
        }
        if (!state.hasBase()) {
            return Plan.full(Causes.FIRST_SYNC.wire());
        }
        if (state.fullResyncCause() != null) {
            return Plan.full(state.fullResyncCause());
        }
        if (hintCause != null) {
            return Plan.full(hintCause);
        }
        if (state.imageId() != null && !state.imageId().equals(imageId)) {
            return Plan.full(Causes.IMAGE_RECREATED.wire());
        }
        if (!snapshotsOnImage.contains(state.baseSnapshot())) {
            return Plan.full(Causes.BASE_SNAPSHOT_MISSING.wire());
        }
        if (imageSize != state.baseSize()) {
            return Plan.full(Causes.VOLUME_RESIZED.wire());
        }
        return new Plan(SyncMode.INCREMENTAL, Causes.SCHEDULED.wire(), state.baseSnapshot());
    }
}
