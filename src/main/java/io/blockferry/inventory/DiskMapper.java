package io.blockferry.inventory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Maps every server's disks to the storage objects that hold them, in boot order, through the
 * cloud's {@link DiskLocator}, and says which disks are skipped and why.
 */
public final class DiskMapper {

    /** Device names in the guest's order: vdb before vdc, vdz before vdaa. */
    static final Comparator<String> DEVICE_ORDER = Comparator.nullsLast(
            Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder()));

    private final DiskLocator locator;
    private final SkipRules rules;

    /** OpenStack on Ceph. */
    public DiskMapper(CephPoolMap pools, SkipRules rules) {
        this(new CephDiskLocator(pools), rules);
    }

    public DiskMapper(DiskLocator locator, SkipRules rules) {
        this.locator = locator;
        this.rules = rules;
    }

    public DiskMapping map(Inventory inventory) {
        Map<String, List<MappedDisk>> disks = new LinkedHashMap<>();
        List<Skipped> skipped = new ArrayList<>();
        for (Server server : inventory.servers()) {
            Optional<Skipped> serverSkip = rules.server(server);
            if (serverSkip.isPresent()) {
                skipped.add(serverSkip.get());
                continue;
            }
            disks.put(server.id(), disksOf(server, inventory, skipped));
        }
        return new DiskMapping(disks, skipped);
    }

    /**
     * One server's disks whatever its state (a suspended server's metadata still lists them), and
     * the disks that cannot be synced with their reasons.
     */
    public DiskMapping mapServer(Server server, Inventory inventory) {
        List<Skipped> skipped = new ArrayList<>();
        List<MappedDisk> disks = disksOf(server, inventory, skipped);
        return new DiskMapping(Map.of(server.id(), disks), skipped);
    }

    /** The storage object of a volume, as {@code pool/image}, if it has one. */
    public Optional<String> imageSpec(Volume volume) {
        return locator.locate(volume).map(l -> l.pool() + "/" + l.image());
    }

    private List<MappedDisk> disksOf(Server server, Inventory inventory, List<Skipped> skipped) {
        List<MappedDisk> disks = new ArrayList<>();
        if (server.bootSource().kind() == BootSource.Kind.IMAGE) {
            disks.add(ephemeralRoot(server, inventory));
        }
        for (ServerVolume attached : server.volumes()) {
            mapVolume(server, attached, inventory, skipped).ifPresent(disks::add);
        }
        disks.sort(Comparator.comparing((MappedDisk d) -> !d.bootable()).thenComparing(MappedDisk::device, DEVICE_ORDER));
        return disks;
    }

    private MappedDisk ephemeralRoot(Server server, Inventory inventory) {
        long sizeGb = inventory.flavor(server.flavorId()).map(Flavor::diskGb).orElse(0);
        String device = server.rootDevice() == null ? InventoryJson.DEFAULT_ROOT_DEVICE : server.rootDevice();
        return new MappedDisk(server.id(), device, null, locator.ephemeralPool(), server.id() + "_disk", sizeGb, true);
    }

    private Optional<MappedDisk> mapVolume(Server server, ServerVolume attached, Inventory inventory,
                                           List<Skipped> skipped) {
        Optional<Volume> found = inventory.volume(attached.volumeId());
        if (found.isEmpty()) {
            skipped.add(new Skipped(server.id(), attached.volumeId(), SkipReason.VOLUME_NOT_VISIBLE, "volume "
                    + attached.volumeId() + " of server " + server.name() + " is attached but Cinder did not list it:"
                    + " poll with all projects (admin) to see it"));
            return Optional.empty();
        }
        Volume volume = found.get();
        Optional<Skipped> volumeSkip = rules.volume(server.id(), volume);
        if (volumeSkip.isPresent()) {
            skipped.add(volumeSkip.get());
            return Optional.empty();
        }
        Optional<DiskLocator.Location> location = locator.locate(volume);
        if (location.isEmpty()) {
            skipped.add(locator.unlocated(server, volume));
            return Optional.empty();
        }
        boolean boot = server.bootSource().kind() == BootSource.Kind.VOLUME && volume.id().equals(server.bootSource().id());
        return Optional.of(new MappedDisk(server.id(), attached.device(), volume.id(), location.get().pool(),
                location.get().image(), volume.sizeGb(), boot));
    }
}
