package io.blockferry.ops;

import io.blockferry.source.ResyncTrigger;
import io.blockferry.source.SyncRequest;
import io.blockferry.source.VolumeState;
import io.blockferry.source.VolumeStateStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The source's part of the REST API: volumes and their state, and syncs on request. */
public final class SourceApi {

    private final VolumeStateStore states;
    private final ResyncTrigger trigger;

    public SourceApi(VolumeStateStore states, ResyncTrigger trigger) {
        this.states = states;
        this.trigger = trigger;
    }

    public List<VolumeView> volumes() {
        return states.all().stream().map(this::view).toList();
    }

    /** {@code GET /volumes/{pool}/{image}}: the default backend's path form, kept for existing clients. */
    public VolumeView volume(String pool, String image) {
        return volumeById(ApiException.volumeId(pool, image));
    }

    /** {@code GET /volumes/{id}}: any backend's volume by its id, URL-encoded in one path segment. */
    public VolumeView volume(String encodedId) {
        return volumeById(ApiException.volumeId(encodedId));
    }

    private VolumeView volumeById(String id) {
        return states.find(id).map(this::view)
                .orElseThrow(() -> new ApiException(404, "volume " + id + " has never been synced by this source"
                        + " (when the proxies of a site share the work, only the one that owns the volume now knows it)"));
    }

    /** Queues a sync; it runs in the background (watch its events and /api/volumes). */
    public Map<String, String> sync(String pool, String image, String mode) {
        return syncById(ApiException.volumeId(pool, image), mode);
    }

    /** {@code POST /volumes/{id}/sync} with the id URL-encoded. */
    public Map<String, String> sync(String encodedId, String mode) {
        return syncById(ApiException.volumeId(encodedId), mode);
    }

    private Map<String, String> syncById(String id, String mode) {
        String chosen = mode == null || mode.isBlank() ? "incremental" : mode;
        if (!chosen.equals("incremental") && !chosen.equals("full")) {
            throw new ApiException(400, "mode '" + mode + "' is not known: use full or incremental");
        }
        trigger.request(new SyncRequest(id, chosen.equals("full"), "api"));
        return Map.of("volumeId", id, "mode", chosen, "status", "queued");
    }

    private VolumeView view(VolumeState s) {
        Long rpo = s.baseAckedAtMillis() > 0 ? (System.currentTimeMillis() - s.baseAckedAtMillis()) / 1000 : null;
        String lastSync = s.baseAckedAtMillis() > 0 ? Instant.ofEpochMilli(s.baseAckedAtMillis()).toString() : null;
        return new VolumeView(s.volumeId(), s.baseSnapshot(), s.baseGeneration(),
                s.hasPending() ? s.pendingGeneration() : null, lastSync, rpo, s.fullResyncCause(), s.lastError(),
                states.policyOf(s.volumeId()));
    }
}
