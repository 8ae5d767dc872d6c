package io.blockferry.inventory;

import io.blockferry.schedule.ServerDirectory;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The servers of the last good inventory as policies see them: their keys and their mapped disks. */
public final class InventoryServers implements ServerDirectory {

    private final InventoryService inventory;

    public InventoryServers(InventoryService inventory) {
        this.inventory = inventory;
    }

    /** The servers of several clouds' inventories, in that order. */
    public static ServerDirectory of(List<InventoryService> clouds) {
        List<InventoryServers> each = clouds.stream().map(InventoryServers::new).toList();
        return () -> each.stream().flatMap(c -> c.servers().stream()).toList();
    }

    @Override
    public List<ServerDisks> servers() {
        Inventory current = inventory.current();
        DiskMapping mapping = inventory.mapping();
        List<ServerDisks> out = new ArrayList<>();
        for (Server s : current.servers()) {
            List<Disk> disks = mapping.disksOf(s.id()).stream()
                    .map(d -> new Disk(d.device(), d.volumeId(), d.imageSpec())).toList();
            out.add(new ServerDisks(s.id(), s.name(), s.tags(), keys(s.projectId(), s.projectName()),
                    keys(s.domainId(), s.domainName()), disks));
        }
        return out;
    }

    private static List<String> keys(String id, String name) {
        return java.util.stream.Stream.of(id, name).filter(Objects::nonNull).toList();
    }
}
