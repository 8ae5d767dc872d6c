package io.blockferry.inventory;

import io.blockferry.inventory.InventoryChange.ServerAdded;
import io.blockferry.inventory.InventoryChange.ServerHostChanged;
import io.blockferry.inventory.InventoryChange.ServerRemoved;
import io.blockferry.inventory.InventoryChange.VolumeAttached;
import io.blockferry.inventory.InventoryChange.VolumeDetached;
import io.blockferry.inventory.InventoryChange.VolumeExtended;
import io.blockferry.inventory.InventoryChange.VolumeMigrated;
import io.blockferry.inventory.InventoryChange.VolumeRetyped;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** What changed between two polls, in a stable order: servers first, then volumes. */
public final class InventoryChanges {

    private InventoryChanges() {
    }

    public static List<InventoryChange> between(Inventory previous, Inventory current) {
        List<InventoryChange> changes = new ArrayList<>();
        for (Server server : current.servers()) {
            Optional<Server> before = previous.server(server.id());
            if (before.isEmpty()) {
                changes.add(new ServerAdded(server.id(), server.name()));
            } else {
                serverChanges(before.get(), server, changes);
            }
        }
        for (Server server : previous.servers()) {
            if (current.server(server.id()).isEmpty()) {
                changes.add(new ServerRemoved(server.id(), server.name()));
            }
        }
        for (Volume volume : current.volumes()) {
            previous.volume(volume.id()).ifPresent(before -> volumeChanges(before, volume, changes));
        }
        return List.copyOf(changes);
    }

    private static void serverChanges(Server before, Server now, List<InventoryChange> changes) {
        // A host we may not see (null) is not a move.
        if (before.host() != null && now.host() != null && !before.host().equals(now.host())) {
            changes.add(new ServerHostChanged(now.id(), before.host(), now.host()));
        }
        for (ServerVolume volume : now.volumes()) {
            if (!attaches(before, volume.volumeId())) {
                changes.add(new VolumeAttached(now.id(), volume.volumeId(), volume.device()));
            }
        }
        for (ServerVolume volume : before.volumes()) {
            if (!attaches(now, volume.volumeId())) {
                changes.add(new VolumeDetached(now.id(), volume.volumeId(), volume.device()));
            }
        }
    }

    private static void volumeChanges(Volume before, Volume now, List<InventoryChange> changes) {
        if (before.sizeGb() != now.sizeGb()) {
            changes.add(new VolumeExtended(now.id(), before.sizeGb(), now.sizeGb()));
        }
        if (!Objects.equals(before.type(), now.type())) {
            changes.add(new VolumeRetyped(now.id(), before.type(), now.type()));
        } else if (before.host() != null && now.host() != null && !before.host().equals(now.host())) {
            // A retype with migration also changes the host; one change is enough for it.
            changes.add(new VolumeMigrated(now.id(), before.host(), now.host()));
        }
    }

    private static boolean attaches(Server server, String volumeId) {
        return server.volumes().stream().anyMatch(v -> v.volumeId().equals(volumeId));
    }
}
