package io.blockferry.inventory;

import java.util.ArrayList;
import java.util.List;

/** Builds a server's restore metadata from an inventory and its disk mapping. */
final class ServerMetadataBuilder {

    private final DiskMapper mapper;

    ServerMetadataBuilder(DiskMapper mapper) {
        this.mapper = mapper;
    }

    ServerMetadata of(Server server, Inventory inventory) {
        DiskMapping mapping = mapper.mapServer(server, inventory);
        List<ServerMetadata.Disk> disks = new ArrayList<>();
        int bootIndex = 0;
        for (MappedDisk disk : mapping.disksOf(server.id())) {
            Volume volume = disk.volumeId() == null ? null : inventory.volume(disk.volumeId()).orElse(null);
            disks.add(new ServerMetadata.Disk(bootIndex++, disk.device(), disk.volumeId(),
                    volume == null ? null : volume.name(), disk.sizeGb(), volume == null ? null : volume.type(),
                    disk.bootable(), disk.imageSpec()));
        }
        Flavor flavor = inventory.flavor(server.flavorId())
                .orElse(new Flavor(server.flavorId(), server.flavorName(), 0, 0, 0));
        return new ServerMetadata(ServerMetadata.SCHEMA_VERSION, server.id(), server.name(), server.projectId(),
                server.projectName(), server.domainId(), server.domainName(), server.status(), server.host(),
                server.availabilityZone(), flavor, image(server, inventory), keypair(server, inventory),
                inventory.portsOf(server.id()), server.securityGroups(), server.tags(), disks, mapping.skipped(),
                inventory.polledAt().toEpochMilli());
    }

    private static Image image(Server server, Inventory inventory) {
        if (server.bootSource().kind() != BootSource.Kind.IMAGE) {
            return null;
        }
        String id = server.bootSource().id();
        return inventory.image(id).orElse(new Image(id, null, null, null, null, 0, 0, 0, null, null));
    }

    private static ServerMetadata.KeypairRef keypair(Server server, Inventory inventory) {
        if (server.keyName() == null) {
            return null;
        }
        return inventory.keypair(server.userId(), server.keyName())
                .map(k -> new ServerMetadata.KeypairRef(k.name(), true, k.type(), k.fingerprint(), k.publicKey()))
                .orElse(new ServerMetadata.KeypairRef(server.keyName(), false, null, null, null));
    }
}
