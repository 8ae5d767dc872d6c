package io.blockferry.inventory.hcs;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.inventory.BootSource;
import io.blockferry.inventory.Flavor;
import io.blockferry.inventory.Inventory;
import io.blockferry.inventory.InventoryDetails;
import io.blockferry.inventory.Port;
import io.blockferry.inventory.Server;
import io.blockferry.inventory.ServerVolume;
import io.blockferry.inventory.Volume;
import io.blockferry.inventory.VolumeAttachment;
import io.blockferry.inventory.VolumeType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Turns the ECS and EVS answers of a poll into the inventory model the OpenStack poll fills, so
 * policies, skip rules, events and restore metadata treat HCS servers like Nova ones. Field names
 * are those of spec §1.4 and §1.5 (captured HCS bodies). The proxy server and Blockferry's own
 * temporary disks are left out.
 */
final class HcsInventoryReader {

    private final String proxyServerId;
    private final Predicate<JsonNode> temporaryDisk;

    HcsInventoryReader(String proxyServerId, Predicate<JsonNode> temporaryDisk) {
        this.proxyServerId = proxyServerId;
        this.temporaryDisk = temporaryDisk;
    }

    Inventory read(HcsInventoryPoll poll, Instant polledAt) {
        List<Server> servers = new ArrayList<>();
        List<Port> ports = new ArrayList<>();
        for (JsonNode s : poll.servers()) {
            if (!s.path("id").asText().equals(proxyServerId)) {
                servers.add(server(s));
                ports.addAll(ports(s));
            }
        }
        List<Volume> volumes = poll.volumes().stream().filter(temporaryDisk.negate()).map(HcsInventoryReader::volume)
                .toList();
        List<Flavor> flavors = poll.flavors().stream().map(HcsInventoryReader::flavor).toList();
        List<VolumeType> types = poll.types().stream().map(t -> new VolumeType(t.path("id").asText(),
                t.path("name").asText(), text(t.path("extra_specs"), "volume_backend_name"))).toList();
        return new Inventory(polledAt, servers, volumes, types, flavors,
                new InventoryDetails(List.of(), List.of(), List.of(), ports, List.of()));
    }

    private static Server server(JsonNode s) {
        List<JsonNode> attached = new ArrayList<>();
        s.path("os-extended-volumes:volumes_attached").forEach(attached::add);
        // Boot disk first, then data disks in the order ECS numbers them.
        attached.sort(Comparator.comparingInt(a -> a.path("bootIndex").asInt(Integer.MAX_VALUE)));
        List<ServerVolume> volumes = attached.stream()
                .map(a -> new ServerVolume(a.path("id").asText(), text(a, "device"))).toList();
        BootSource boot = attached.stream().filter(a -> "0".equals(a.path("bootIndex").asText())).findFirst()
                .map(a -> BootSource.volume(a.path("id").asText())).orElse(BootSource.unknown());
        List<String> tags = new ArrayList<>();
        s.path("tags").forEach(t -> tags.add(t.asText()));
        List<String> groups = new ArrayList<>();
        s.path("security_groups").forEach(g -> groups.add(g.path("name").asText()));
        JsonNode flavor = s.path("flavor");
        return new Server(s.path("id").asText(), s.path("name").asText(), text(s, "tenant_id"),
                s.path("status").asText(), text(s, "OS-EXT-STS:task_state"), text(s, "OS-EXT-SRV-ATTR:host"),
                text(flavor, "id"), text(flavor, "name"), tags, volumes, boot,
                text(s, "OS-EXT-SRV-ATTR:root_device_name"), null, null, null, text(s, "user_id"),
                text(s, "key_name"), text(s, "OS-EXT-AZ:availability_zone"), groups);
    }

    /** The server's NICs from {@code addresses}: one port per port id, with its fixed addresses. */
    private static List<Port> ports(JsonNode s) {
        Map<String, Port> byId = new LinkedHashMap<>();
        s.path("addresses").fields().forEachRemaining(network -> network.getValue().forEach(a -> {
            String id = a.path("OS-EXT-IPS:port_id").asText(a.path("OS-EXT-IPS-MAC:mac_addr").asText());
            Port was = byId.get(id);
            List<String> ips = new ArrayList<>(was == null ? List.of() : was.fixedIps());
            ips.add(a.path("addr").asText());
            byId.put(id, new Port(id, s.path("id").asText(), null, network.getKey(),
                    text(a, "OS-EXT-IPS-MAC:mac_addr"), ips));
        }));
        return List.copyOf(byId.values());
    }

    private static Volume volume(JsonNode v) {
        List<VolumeAttachment> attachments = new ArrayList<>();
        v.path("attachments").forEach(a -> attachments.add(new VolumeAttachment(a.path("server_id").asText(),
                text(a, "device"))));
        JsonNode meta = v.path("metadata");
        boolean encrypted = v.path("encrypted").asBoolean(false)
                || List.of("1", "true").contains(meta.path("__system__encrypted").asText("").toLowerCase());
        return new Volume(v.path("id").asText(), text(v, "name"), text(v, "os-vol-tenant-attr:tenant_id"),
                v.path("status").asText(), text(v, "volume_type"), v.path("size").asLong(),
                "true".equalsIgnoreCase(v.path("bootable").asText()), encrypted, text(v, "os-vol-host-attr:host"),
                text(v, "migration_status"), attachments);
    }

    private static Flavor flavor(JsonNode f) {
        Map<String, String> specs = new LinkedHashMap<>();
        f.path("os_extra_specs").fields().forEachRemaining(e -> specs.put(e.getKey(), e.getValue().asText()));
        // ECS gives vcpus and disk as strings, ram as a number (spec §1.4).
        return new Flavor(f.path("id").asText(), text(f, "name"), asInt(f.path("vcpus")), asInt(f.path("ram")),
                asInt(f.path("disk")), specs);
    }

    private static int asInt(JsonNode n) {
        try {
            return Integer.parseInt(n.asText("0").trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isMissingNode() || v.isNull() ? null : v.asText();
    }
}
