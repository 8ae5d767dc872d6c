package io.blockferry.restore;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.blockferry.inventory.Flavor;
import io.blockferry.inventory.Port;
import io.blockferry.inventory.ServerMetadata;
import io.blockferry.inventory.Skipped;
import io.blockferry.target.RecoveryPoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Turns a server's metadata into a {@link RestorePlan}: flavor, keypair, one volume per disk in
 * boot order (an image-booted root disk becomes a boot volume of the flavor's disk size), the data
 * of each volume imported with stock {@code rbd import-diff} from the repository's recovery point
 * chain, then the server with its block device mapping, keypair, security groups, tags and zone.
 */
public final class RestorePlanner {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Cinder's default rbd_pool, for a root disk that was not a Cinder volume at the source. */
    static final String DEFAULT_CINDER_POOL = "volumes";

    private final Function<String, List<RecoveryPoint>> chainOf;
    private final Function<RecoveryPoint, Path> diffOf;

    /**
     * @param chainOf the committed recovery points of a volume id, from its newest full one on
     * @param diffOf  the rbd export-diff file of a recovery point in the repository
     */
    public RestorePlanner(Function<String, List<RecoveryPoint>> chainOf, Function<RecoveryPoint, Path> diffOf) {
        this.chainOf = chainOf;
        this.diffOf = diffOf;
    }

    public RestorePlan plan(ServerMetadata m) {
        List<RestorePlan.Step> steps = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<RestorePlan.Disk> disks = new ArrayList<>();
        steps.add(flavorStep(steps.size() + 1, m.flavor()));
        keypairStep(steps.size() + 1, m, warnings).ifPresent(steps::add);
        ObjectNode server = serverBody(m);
        ArrayNode mapping = server.putArray("block_device_mapping_v2");
        for (ServerMetadata.Disk disk : m.disks()) {
            String volume = "$VOLUME_" + disk.bootIndex();
            steps.add(volumeStep(steps.size() + 1, m, disk, volume));
            RestorePlan.Step imports = importStep(steps.size() + 1, disk, volume, warnings);
            steps.add(imports);
            disks.add(new RestorePlan.Disk(disk.bootIndex(), disk.device(), volume, volumeName(m, disk), disk.sizeGb(),
                    disk.volumeType(), disk.bootable(), defaultPool(disk), chainOf.apply(disk.imageSpec()).stream()
                    .map(p -> diffOf.apply(p).toString()).toList()));
            mapping.addObject().put("boot_index", disk.bootIndex()).put("uuid", volume).put("source_type", "volume")
                    .put("destination_type", "volume").put("delete_on_termination", false);
        }
        for (Skipped skipped : m.skippedDisks()) {
            warnings.add("disk " + skipped.volumeId() + " was not replicated (" + skipped.reason() + "): "
                    + skipped.message());
        }
        if (m.disks().isEmpty()) {
            warnings.add("the server has no replicated disk: nothing to boot from");
        }
        steps.add(new RestorePlan.Step(steps.size() + 1, "create-server", "create the server " + m.name()
                + " booting from the restored volumes in boot order", List.of(serverCommand(m))));
        ObjectNode body = JSON.createObjectNode();
        body.set("server", server);
        return new RestorePlan(m.serverId(), m.name(), m.capturedAtMillis(), steps, warnings, disks, body);
    }

    private static RestorePlan.Step flavorStep(int order, Flavor f) {
        StringBuilder create = new StringBuilder("openstack flavor show " + quote(f.name()) + " >/dev/null 2>&1 || "
                + "openstack flavor create --vcpus " + f.vcpus() + " --ram " + f.ramMb() + " --disk " + f.diskGb());
        f.extraSpecs().forEach((k, v) -> create.append(" --property ").append(quote(k + "=" + v)));
        create.append(' ').append(quote(f.name()));
        return new RestorePlan.Step(order, "create-flavor", "make sure flavor " + f.name() + " exists ("
                + f.vcpus() + " vCPU, " + f.ramMb() + " MB RAM, " + f.diskGb() + " GB disk, extra specs "
                + f.extraSpecs() + ")", List.of(create.toString()));
    }

    private static java.util.Optional<RestorePlan.Step> keypairStep(int order, ServerMetadata m, List<String> warnings) {
        ServerMetadata.KeypairRef k = m.keypair();
        if (k == null) {
            return java.util.Optional.empty();
        }
        if (!k.visible() || k.publicKey() == null) {
            warnings.add("keypair " + k.name() + " belongs to a user Blockferry cannot see: recreate it under the same "
                    + "name before the create-server step, or drop --key-name");
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new RestorePlan.Step(order, "create-keypair", "recreate keypair " + k.name()
                + " (fingerprint " + k.fingerprint() + ") if the target lacks it", List.of(
                "openstack keypair show " + quote(k.name()) + " >/dev/null 2>&1 || openstack keypair create "
                        + "--public-key <(printf '%s\\n' " + quote(k.publicKey()) + ") " + quote(k.name()))));
    }

    private static RestorePlan.Step volumeStep(int order, ServerMetadata m, ServerMetadata.Disk disk, String volume) {
        String type = disk.volumeType() == null ? "" : " --type " + quote(disk.volumeType());
        String name = volumeName(m, disk);
        return new RestorePlan.Step(order, "create-volume", "create an empty " + disk.sizeGb() + " GiB volume for "
                + disk.device() + (disk.volumeId() == null ? " (the image-booted root disk, restored as a boot volume)"
                : " (was volume " + disk.volumeId() + ")"), List.of(volume.substring(1) + "=$(openstack volume create"
                + " --size " + disk.sizeGb() + type + (disk.bootable() ? " --bootable" : "") + " -f value -c id "
                + quote(name) + ")"));
    }

    private RestorePlan.Step importStep(int order, ServerMetadata.Disk disk, String volume, List<String> warnings) {
        List<RecoveryPoint> chain = chainOf.apply(disk.imageSpec());
        List<String> commands = new ArrayList<>();
        // Cinder's RBD driver names the image volume-<id> in the pool of the volume type; a restored
        // image-booted root disk is a new Cinder volume, in the default rbd_pool unless set otherwise.
        String pool = "${POOL_" + disk.bootIndex() + ":-" + defaultPool(disk) + "}";
        for (RecoveryPoint point : chain) {
            commands.add("rbd import-diff " + quote(diffOf.apply(point).toString()) + " " + pool + "/volume-" + volume);
        }
        if (chain.isEmpty()) {
            warnings.add("disk " + disk.device() + " (" + disk.imageSpec() + ") has no recovery point on this target yet");
        }
        return new RestorePlan.Step(order, "import-data", "write the data of " + disk.imageSpec() + " into the new "
                + "volume: the recovery points " + generations(chain) + " in order, with stock rbd import-diff (use the"
                + " pool of the target's volume type: set POOL_" + disk.bootIndex() + ")", commands);
    }

    private static String volumeName(ServerMetadata m, ServerMetadata.Disk disk) {
        return m.name() + "-" + (disk.volumeName() == null ? "disk" + disk.bootIndex() : disk.volumeName());
    }

    /** The source disk's pool, or Cinder's default one for an image-booted root disk (not a volume at the source). */
    private static String defaultPool(ServerMetadata.Disk disk) {
        return disk.volumeId() == null ? DEFAULT_CINDER_POOL : disk.imageSpec().substring(0, disk.imageSpec().indexOf('/'));
    }

    private static ObjectNode serverBody(ServerMetadata m) {
        ObjectNode server = JSON.createObjectNode();
        server.put("name", m.name()).put("flavorRef", m.flavor().name());
        if (m.availabilityZone() != null) {
            server.put("availability_zone", m.availabilityZone());
        }
        if (m.keypair() != null) {
            server.put("key_name", m.keypair().name());
        }
        ArrayNode groups = server.putArray("security_groups");
        m.securityGroups().forEach(g -> groups.addObject().put("name", g));
        ArrayNode tags = server.putArray("tags");
        m.tags().forEach(tags::add);
        if (m.ports().isEmpty()) {
            server.put("networks", "none");
        } else {
            ArrayNode networks = server.putArray("networks");
            m.ports().stream().map(Port::networkId).distinct().forEach(n -> networks.addObject().put("uuid", n));
        }
        return server;
    }

    private static String serverCommand(ServerMetadata m) {
        StringBuilder c = new StringBuilder("openstack --os-compute-api-version 2.52 server create --flavor "
                + quote(m.flavor().name()));
        for (ServerMetadata.Disk disk : m.disks()) {
            c.append(" --block-device uuid=$VOLUME_").append(disk.bootIndex())
                    .append(",source_type=volume,destination_type=volume,boot_index=").append(disk.bootIndex());
        }
        if (m.keypair() != null) {
            c.append(" --key-name ").append(quote(m.keypair().name()));
        }
        m.securityGroups().forEach(g -> c.append(" --security-group ").append(quote(g)));
        m.tags().forEach(t -> c.append(" --tag ").append(quote(t)));
        if (m.availabilityZone() != null) {
            c.append(" --availability-zone ").append(quote(m.availabilityZone()));
        }
        if (m.ports().isEmpty()) {
            c.append(" --nic none");
        } else {
            m.ports().stream().map(p -> p.networkName() == null ? p.networkId() : p.networkName()).distinct()
                    .forEach(n -> c.append(" --network ").append(quote(n)));
        }
        return c.append(' ').append(quote(m.name())).toString();
    }

    private static String generations(List<RecoveryPoint> chain) {
        return chain.stream().map(p -> "g" + p.generation() + " (" + p.mode().toLowerCase() + ")").toList().toString();
    }

    /** Single-quotes a shell word. */
    static String quote(String value) {
        return "'" + String.valueOf(value).replace("'", "'\\''") + "'";
    }
}
