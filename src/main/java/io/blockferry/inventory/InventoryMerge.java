package io.blockferry.inventory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Joins what several tokens saw into one inventory (the same public flavor or image seen twice is
 * one), names each server's project and domain, and cuts an inventory down to some projects.
 */
final class InventoryMerge {

    private InventoryMerge() {
    }

    static Inventory merge(Instant polledAt, List<Inventory> parts, Collection<Project> projects) {
        Map<String, Project> named = new LinkedHashMap<>();
        for (Project project : projects) {
            named.merge(project.id(), project, InventoryMerge::better);
        }
        for (Inventory part : parts) {
            part.details().projects().forEach(p -> named.merge(p.id(), p, InventoryMerge::better));
        }
        List<Server> servers = new ArrayList<>();
        for (Server server : unique(parts, Inventory::servers, Server::id)) {
            Project project = named.get(server.projectId());
            servers.add(project == null ? server : server.withProject(project));
        }
        InventoryDetails details = new InventoryDetails(List.copyOf(named.values()),
                unique(parts, i -> i.details().images(), Image::id),
                unique(parts, i -> i.details().snapshots(), VolumeSnapshot::id),
                unique(parts, i -> i.details().ports(), Port::id),
                unique(parts, i -> i.details().keypairs(), k -> k.userId() + "/" + k.name()));
        return new Inventory(polledAt, servers, unique(parts, Inventory::volumes, Volume::id),
                unique(parts, Inventory::volumeTypes, VolumeType::id), unique(parts, Inventory::flavors, Flavor::id),
                details);
    }

    /** Only the servers, volumes, snapshots, ports and projects of the projects kept. */
    static Inventory restrict(Inventory inventory, Predicate<String> projectKept) {
        List<Server> servers = inventory.servers().stream().filter(s -> projectKept.test(s.projectId())).toList();
        Set<String> serverIds = servers.stream().map(Server::id).collect(Collectors.toSet());
        InventoryDetails d = inventory.details();
        InventoryDetails details = new InventoryDetails(
                d.projects().stream().filter(p -> projectKept.test(p.id())).toList(), d.images(),
                d.snapshots().stream().filter(s -> projectKept.test(s.projectId())).toList(),
                d.ports().stream().filter(p -> serverIds.contains(p.serverId())).toList(), d.keypairs());
        return new Inventory(inventory.polledAt(), servers,
                inventory.volumes().stream().filter(v -> projectKept.test(v.projectId())).toList(),
                inventory.volumeTypes(), inventory.flavors(), details);
    }

    /** The projects of an inventory that belong to a domain, given by id or name. */
    static Set<String> projectsOfDomain(Inventory inventory, String domain) {
        return inventory.details().projects().stream()
                .filter(p -> domain.equals(p.domainId()) || domain.equals(p.domainName()))
                .map(Project::id).collect(Collectors.toSet());
    }

    // A project seen with names beats the same project seen by id only.
    private static Project better(Project a, Project b) {
        return new Project(a.id(), a.name() != null ? a.name() : b.name(), a.domainId() != null ? a.domainId() : b.domainId(),
                a.domainName() != null ? a.domainName() : b.domainName());
    }

    private static <T> List<T> unique(List<Inventory> parts, Function<Inventory, List<T>> items, Function<T, String> id) {
        Map<String, T> byId = new LinkedHashMap<>();
        for (Inventory part : parts) {
            for (T item : items.apply(part)) {
                byId.putIfAbsent(id.apply(item), item);
            }
        }
        return List.copyOf(byId.values());
    }
}
