package io.blockferry.inventory.hcs;

import io.blockferry.inventory.DiskLocator;
import io.blockferry.inventory.Server;
import io.blockferry.inventory.SkipReason;
import io.blockferry.inventory.Skipped;
import io.blockferry.inventory.Volume;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HCS names a disk by its EVS id under its backend: {@code <backend>:<project id>/<disk id>}, the
 * volume id the HCS block source reads. A disk has that location only once its Dorado LUN was
 * checked on the array (spec §2.4); until then, or when the check failed, it is skipped with the
 * check's message.
 */
final class HcsDiskLocator implements DiskLocator {

    private final String backend;
    private final String projectId;
    /** Disk id to the problem of its LUN check; an empty text once the LUN was found as EVS says. */
    private final Map<String, String> checks = new ConcurrentHashMap<>();

    HcsDiskLocator(String backend, String projectId) {
        this.backend = backend;
        this.projectId = projectId;
    }

    void checked(String diskId, String problem) {
        checks.put(diskId, problem == null ? "" : problem);
    }

    void forgetAllBut(java.util.Set<String> diskIds) {
        checks.keySet().retainAll(diskIds);
    }

    @Override
    public Optional<Location> locate(Volume volume) {
        return "".equals(checks.get(volume.id())) ? Optional.of(new Location(backend + ":" + projectId, volume.id()))
                : Optional.empty();
    }

    @Override
    public Skipped unlocated(Server server, Volume volume) {
        String problem = checks.get(volume.id());
        return new Skipped(server.id(), volume.id(), SkipReason.VOLUME_LUN_UNVERIFIED, "disk " + volume.id()
                + " of server " + server.name() + " is not synced: "
                + (problem == null ? "its Dorado LUN has not been checked yet (the next inventory poll does)" : problem));
    }

    @Override
    public String ephemeralPool() {
        // ECS servers boot from EVS disks; there is no ephemeral root disk to name.
        return backend + ":" + projectId;
    }
}
