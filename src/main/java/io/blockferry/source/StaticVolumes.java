package io.blockferry.source;

import java.util.Arrays;
import java.util.List;

/** The volumes named in configuration as [backend:]pool/name, synced on the source's timer. */
public final class StaticVolumes {

    private final List<VolumeId> volumes;

    public StaticVolumes(String commaSeparated) {
        this.volumes = Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(VolumeId::parse).toList();
    }

    public List<VolumeId> volumes() {
        return volumes;
    }

    public List<SyncRequest> requests() {
        return volumes.stream().map(v -> SyncRequest.incremental(v.toString(), "timer")).toList();
    }
}
