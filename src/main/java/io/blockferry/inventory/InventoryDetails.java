package io.blockferry.inventory;

import java.util.List;

/**
 * What a poll sees besides servers and volumes: the Keystone projects, Glance images, Cinder
 * snapshots, Neutron ports and the user's keypairs. They name things in restore metadata.
 */
public record InventoryDetails(List<Project> projects, List<Image> images, List<VolumeSnapshot> snapshots,
                               List<Port> ports, List<Keypair> keypairs) {

    public InventoryDetails {
        projects = List.copyOf(projects);
        images = List.copyOf(images);
        snapshots = List.copyOf(snapshots);
        ports = List.copyOf(ports);
        keypairs = List.copyOf(keypairs);
    }

    public static InventoryDetails empty() {
        return new InventoryDetails(List.of(), List.of(), List.of(), List.of(), List.of());
    }

    public InventoryDetails withProjects(List<Project> known) {
        return new InventoryDetails(known, images, snapshots, ports, keypairs);
    }
}
