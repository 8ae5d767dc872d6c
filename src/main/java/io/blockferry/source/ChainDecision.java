package io.blockferry.source;

import io.blockferry.transport.SyncMode;
import java.util.List;

/**
 * Decides whether a volume's next generation can be an incremental on its base snapshot, and
 * if not, names why. The causes are the chain-break names operators see in events and logs.
 */
public final class ChainDecision {

    /** The outcome: the mode, the cause shown to operators, and the base an incremental builds on. */
    public record Plan(SyncMode mode, String cause, String baseSnapshot) {
        static Plan full(String cause) {
            return new Plan(SyncMode.FULL, cause, null);
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
            return Plan.full("requested");
        }
        if (!state.hasBase()) {
            return Plan.full("first-sync");
        }
        if (state.fullResyncCause() != null) {
            return Plan.full(state.fullResyncCause());
        }
        if (hintCause != null) {
            return Plan.full(hintCause);
        }
        if (state.imageId() != null && !state.imageId().equals(imageId)) {
            return Plan.full("image-recreated");
        }
        if (!snapshotsOnImage.contains(state.baseSnapshot())) {
            return Plan.full("base-snapshot-missing");
        }
        if (imageSize != state.baseSize()) {
            return Plan.full("volume-resized");
        }
        return new Plan(SyncMode.INCREMENTAL, "scheduled", state.baseSnapshot());
    }
}
