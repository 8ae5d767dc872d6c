package io.blockferry.source;

import java.util.List;

/** The volumes named in configuration as [backend:]pool/name, synced on the source's timer. */
public final class StaticVolumes {

    private final List<VolumeId> volumes;

    public StaticVolumes(List<VolumeId> volumes) {
        this.volumes = List.copyOf(volumes);
    }

    public List<VolumeId> volumes() {
        return volumes;
    }

    public List<SyncRequest> requests() {
        return volumes.stream().map(v -> SyncRequest.incremental(v.toString(), "timer")).toList();
    }
}
