package io.blockferry.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads Nova and Cinder JSON (compute 2.26, volume 3.0) into inventory records. Kept apart from
 * the HTTP calls so the parsing can be tested with recorded answers.
 */
final class InventoryJson {

    /** Nova's root device when it does not report one (non-admins); the first virtio disk. */
    static final String DEFAULT_ROOT_DEVICE = "/dev/vda";

    private InventoryJson() {
    }

    static List<Flavor> flavors(List<JsonNode> items) {
        return map(items, f -> new Flavor(text(f, "id"), text(f, "name"), f.path("vcpus").asInt(),
                f.path("ram").asInt(), f.path("disk").asInt(), strings(f.path("extra_specs"))));
    }

    /** Glance v2 images; sizes may be null while an image is queued. */
    static List<Image> images(List<JsonNode> items) {
        return map(items, i -> new Image(text(i, "id"), text(i, "name"), text(i, "status"), text(i, "disk_format"),
                text(i, "container_format"), i.path("size").asLong(), i.path("min_disk").asInt(),
                i.path("min_ram").asInt(), text(i, "visibility"), text(i, "owner")));
    }

    static List<VolumeSnapshot> snapshots(List<JsonNode> items) {
        return map(items, s -> new VolumeSnapshot(text(s, "id"), text(s, "name"), text(s, "volume_id"),
                text(s, "status"), s.path("size").asLong(), text(s, "os-extended-snapshot-attributes:project_id"),
                text(s, "created_at")));
    }

    /** Neutron ports of servers (device_owner compute:*), with network names from the network list. */
    static List<Port> ports(List<JsonNode> items, List<JsonNode> networks) {
        Map<String, String> networkNames = new java.util.HashMap<>();
        networks.forEach(n -> networkNames.put(text(n, "id"), text(n, "name")));
        return items.stream().filter(p -> String.valueOf(text(p, "device_owner")).startsWith("compute:"))
                .map(p -> new Port(text(p, "id"), text(p, "device_id"), text(p, "network_id"),
                        networkNames.get(text(p, "network_id")), text(p, "mac_address"),
                        map(list(p.path("fixed_ips")), ip -> text(ip, "ip_address"))))
                .toList();
    }

    /** Nova's keypair list wraps each item in {"keypair": {...}}; they all belong to the caller. */
    static List<Keypair> keypairs(List<JsonNode> items, String userId) {
        return map(items, k -> {
            JsonNode keypair = k.path("keypair");
            return new Keypair(text(keypair, "name"), userId, text(keypair, "type"), text(keypair, "fingerprint"),
                    text(keypair, "public_key"));
        });
    }

    /** Keystone v3 projects; the domain's name is filled in later from the domain list. */
    static List<Project> projects(List<JsonNode> items) {
        return map(items, p -> new Project(text(p, "id"), text(p, "name"), text(p, "domain_id"), null));
    }

    static List<VolumeType> volumeTypes(List<JsonNode> items) {
        return map(items, t -> new VolumeType(text(t, "id"), text(t, "name"),
                text(t.path("extra_specs"), "volume_backend_name")));
    }

    static List<Volume> volumes(List<JsonNode> items) {
        return map(items, v -> new Volume(text(v, "id"), text(v, "name"), text(v, "os-vol-tenant-attr:tenant_id"),
                text(v, "status"), text(v, "volume_type"), v.path("size").asLong(),
                // Cinder answers bootable as the string "true" or "false".
                Boolean.parseBoolean(v.path("bootable").asText()), v.path("encrypted").asBoolean(),
                text(v, "os-vol-host-attr:host"), text(v, "os-vol-mig-status-attr:migstat"),
                map(list(v.path("attachments")), a -> new VolumeAttachment(text(a, "server_id"), text(a, "device")))));
    }

    /**
     * Servers, with device names taken from Cinder's attachments (Nova's server body does not
     * carry them) and the flavor name from the flavor list (2.26 embeds only its id).
     */
    static List<Server> servers(List<JsonNode> items, List<Volume> volumes, List<Flavor> flavors) {
        Map<String, Volume> volumesById = volumes.stream().collect(Collectors.toMap(Volume::id, v -> v));
        Map<String, Flavor> flavorsById = flavors.stream().collect(Collectors.toMap(Flavor::id, f -> f));
        return map(items, s -> server(s, volumesById, flavorsById));
    }

    private static Server server(JsonNode s, Map<String, Volume> volumes, Map<String, Flavor> flavors) {
        String id = text(s, "id");
        List<ServerVolume> attached = map(list(s.path("os-extended-volumes:volumes_attached")),
                a -> new ServerVolume(text(a, "id"), deviceOf(volumes.get(text(a, "id")), id)));
        String rootDevice = text(s, "OS-EXT-SRV-ATTR:root_device_name");
        String flavorId = text(s.path("flavor"), "id");
        Flavor flavor = flavorId == null ? null : flavors.get(flavorId);
        List<String> tags = map(list(s.path("tags")), JsonNode::asText);
        // Nova lists a security group once per port; keep each name once.
        List<String> groups = map(list(s.path("security_groups")), g -> text(g, "name")).stream().distinct().toList();
        return new Server(id, text(s, "name"), text(s, "tenant_id"), text(s, "status"),
                text(s, "OS-EXT-STS:task_state"), text(s, "OS-EXT-SRV-ATTR:host"), flavorId,
                flavor == null ? null : flavor.name(), tags, attached,
                bootSource(s, attached, rootDevice, volumes), rootDevice, null, null, null, text(s, "user_id"),
                text(s, "key_name"), text(s, "OS-EXT-AZ:availability_zone"), groups);
    }

    /**
     * Nova reports "image": "" for a server booted from a volume; the boot volume is then the one
     * attached at the root device.
     */
    private static BootSource bootSource(JsonNode s, List<ServerVolume> attached, String rootDevice,
                                         Map<String, Volume> volumes) {
        String imageId = text(s.path("image"), "id");
        if (imageId != null) {
            return BootSource.image(imageId);
        }
        String root = rootDevice == null ? DEFAULT_ROOT_DEVICE : rootDevice;
        for (ServerVolume volume : attached) {
            if (root.equals(volume.device())) {
                return BootSource.volume(volume.volumeId());
            }
        }
        for (ServerVolume volume : attached) {
            Volume known = volumes.get(volume.volumeId());
            if (known != null && known.bootable()) {
                return BootSource.volume(volume.volumeId());
            }
        }
        return BootSource.unknown();
    }

    private static String deviceOf(Volume volume, String serverId) {
        if (volume == null) {
            return null;
        }
        return volume.attachments().stream().filter(a -> serverId.equals(a.serverId()))
                .map(VolumeAttachment::device).findFirst().orElse(null);
    }

    static List<JsonNode> list(JsonNode array) {
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items;
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> values = new java.util.TreeMap<>();
        object.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
        return values;
    }

    /** The text of a field, or null when it is missing, JSON null or empty. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull() || value.isContainerNode()) {
            return null;
        }
        String text = value.asText();
        return text.isEmpty() ? null : text;
    }

    private static <T, R> List<R> map(List<T> items, Function<T, R> mapper) {
        return items.stream().map(mapper).toList();
    }
}
