package io.blockferry.inventory;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** One consistent-enough picture of the cloud: what a single poll saw. Immutable. */
public final class Inventory {

    private final Instant polledAt;
    private final Map<String, Server> servers;
    private final Map<String, Volume> volumes;
    private final List<VolumeType> volumeTypes;
    private final Map<String, Flavor> flavors;
    private final InventoryDetails details;
    private final Map<String, Image> images;
    private final Map<String, Project> projects;

    public Inventory(Instant polledAt, List<Server> servers, List<Volume> volumes, List<VolumeType> volumeTypes,
                     List<Flavor> flavors) {
        this(polledAt, servers, volumes, volumeTypes, flavors, InventoryDetails.empty());
    }

    public Inventory(Instant polledAt, List<Server> servers, List<Volume> volumes, List<VolumeType> volumeTypes,
                     List<Flavor> flavors, InventoryDetails details) {
        this.polledAt = polledAt;
        this.servers = byId(servers, Server::id);
        this.volumes = byId(volumes, Volume::id);
        this.volumeTypes = List.copyOf(volumeTypes);
        this.flavors = byId(flavors, Flavor::id);
        this.details = details;
        this.images = byId(details.images(), Image::id);
        this.projects = byId(details.projects(), Project::id);
    }

    public static Inventory empty() {
        return new Inventory(Instant.EPOCH, List.of(), List.of(), List.of(), List.of());
    }

    /** Projects, images, snapshots, ports and keypairs. */
    public InventoryDetails details() {
        return details;
    }

    public Optional<Image> image(String id) {
        return Optional.ofNullable(id == null ? null : images.get(id));
    }

    public Optional<Project> project(String id) {
        return Optional.ofNullable(id == null ? null : projects.get(id));
    }

    /** The Cinder snapshots of one volume. */
    public List<VolumeSnapshot> snapshotsOf(String volumeId) {
        return details.snapshots().stream().filter(s -> volumeId.equals(s.volumeId())).toList();
    }

    /** The Neutron ports of one server, in Neutron's order. */
    public List<Port> portsOf(String serverId) {
        return details.ports().stream().filter(p -> serverId.equals(p.serverId())).toList();
    }

    public Optional<Keypair> keypair(String userId, String name) {
        return details.keypairs().stream().filter(k -> k.name().equals(name) && (k.userId() == null
                || userId == null || k.userId().equals(userId))).findFirst();
    }

    public Instant polledAt() {
        return polledAt;
    }

    /** Servers in the order the poll listed them. */
    public List<Server> servers() {
        return List.copyOf(servers.values());
    }

    public List<Volume> volumes() {
        return List.copyOf(volumes.values());
    }

    public List<VolumeType> volumeTypes() {
        return volumeTypes;
    }

    public List<Flavor> flavors() {
        return List.copyOf(flavors.values());
    }

    public Optional<Server> server(String id) {
        return Optional.ofNullable(servers.get(id));
    }

    public Optional<Volume> volume(String id) {
        return Optional.ofNullable(volumes.get(id));
    }

    public Optional<Flavor> flavor(String id) {
        return Optional.ofNullable(flavors.get(id));
    }

    @Override
    public String toString() {
        return "Inventory[" + servers.size() + " servers, " + volumes.size() + " volumes, " + images.size() + " images, "
                + details.snapshots().size() + " snapshots, polled " + polledAt + "]";
    }

    // Insertion-ordered and unmodifiable, so iteration follows the poll and nobody can change it.
    private static <T> Map<String, T> byId(List<T> items, Function<T, String> id) {
        Map<String, T> map = new LinkedHashMap<>();
        for (T item : items) {
            map.put(id.apply(item), item);
        }
        return java.util.Collections.unmodifiableMap(map);
    }
}
