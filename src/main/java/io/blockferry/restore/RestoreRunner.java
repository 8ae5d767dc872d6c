package io.blockferry.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.blockferry.inventory.CephPoolMap;
import io.blockferry.inventory.ServerMetadata;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Executes a {@link RestorePlan} on a target cloud: the flavor and keypair when missing, one new
 * Cinder volume per disk filled with {@code rbd import-diff} of its recovery points, then the
 * server booting from them in the recorded boot order. It stops at the first failed step and
 * says which one, and what it already made, so that an operator can clean up or finish by hand.
 */
public final class RestoreRunner {

    /**
     * A server rebuilt.
     *
     * @param volumeIds the new volumes, in boot order
     */
    public record Result(String sourceServerId, String serverId, String name, List<String> volumeIds,
                         List<String> warnings) {
    }

    private final TargetCloud cloud;
    private final RbdCli rbd;
    private final Map<String, String> volumeTypes;
    private final CephPoolMap pools;

    /**
     * @param volumeTypes source volume type → the target's, for clouds that name them differently (unlisted: same name)
     * @param pools       the target's volume type → pool; a type it lacks uses the source disk's pool
     */
    public RestoreRunner(TargetCloud cloud, RbdCli rbd, Map<String, String> volumeTypes, CephPoolMap pools) {
        this.cloud = cloud;
        this.rbd = rbd;
        this.volumeTypes = Map.copyOf(volumeTypes);
        this.pools = pools;
    }

    /** Makes one disk's new Cinder volume, holding the disk's data, in named steps; returns the volume's id. */
    @FunctionalInterface
    interface VolumeSource {
        String volumeFor(RestorePlan.Disk disk, Steps steps);
    }

    /** The steps of one rebuild: a failed step names itself and what was made before it. */
    interface Steps {
        <T> T step(String name, Supplier<T> action);

        void run(String name, Runnable action);

        /** Something the rebuild made, for the message of a later failure ("volume ID"). */
        void made(String what);
    }

    /** Rebuilds the server with new volumes that {@code rbd import-diff} fills from the repository. */
    public Result restore(ServerMetadata metadata, RestorePlan plan) {
        return rebuild(metadata, plan, this::createAndImport, server -> { });
    }

    /**
     * The flavor and keypair when missing, a volume per disk from {@code source}, then the server
     * ({@code editServer} may rename or tag it first) booting from them in the recorded order.
     */
    Result rebuild(ServerMetadata metadata, RestorePlan plan, VolumeSource source, Consumer<ObjectNode> editServer) {
        check(plan);
        List<String> warnings = new ArrayList<>(plan.warnings());
        ObjectNode server = plan.serverBody().path("server").deepCopy();
        editServer.accept(server);
        Progress progress = new Progress(plan);
        String flavorId = progress.step("create-flavor " + metadata.flavor().name(),
                () -> cloud.flavorId(metadata.flavor()));
        server.put("flavorRef", flavorId);
        progress.run("create-keypair", () -> keypair(metadata, server, warnings));
        Map<String, String> volumes = new LinkedHashMap<>();
        for (RestorePlan.Disk disk : plan.disks()) {
            volumes.put(disk.placeholder(), source.volumeFor(disk, progress));
        }
        for (JsonNode mapping : server.path("block_device_mapping_v2")) {
            ((ObjectNode) mapping).put("uuid", volumes.get(mapping.path("uuid").asText()));
        }
        if ("none".equals(server.path("networks").asText())) {
            // Security groups belong to ports; Nova refuses them for a server without any.
            server.remove("security_groups");
        }
        ObjectNode body = server.objectNode();
        body.set("server", server);
        String name = server.path("name").asText();
        String serverId = progress.step("create-server " + name, () -> cloud.createServer(body));
        progress.made("server " + serverId);
        progress.run("await server " + serverId + " ACTIVE", () -> cloud.awaitServerActive(serverId));
        return new Result(plan.serverId(), serverId, name, List.copyOf(volumes.values()), warnings);
    }

    private String createAndImport(RestorePlan.Disk disk, Steps steps) {
        String id = steps.step("create-volume " + disk.device(), () -> createVolume(disk));
        steps.made("volume " + id);
        steps.run("import-data " + disk.device() + " into volume " + id, () -> importData(disk, id));
        return id;
    }

    /** Refuses before making anything when a disk could not be filled. */
    public static void check(RestorePlan plan) {
        if (plan.disks().isEmpty()) {
            throw new RestoreException("server " + plan.serverId() + " has no replicated disk: nothing to restore");
        }
        for (RestorePlan.Disk disk : plan.disks()) {
            if (disk.diffs().isEmpty()) {
                throw new RestoreException("disk " + disk.device() + " of server " + plan.serverId() + " has no "
                        + "committed recovery point on this target yet: sync it first (nothing was created)");
            }
        }
    }

    /** Keeps the key name when the target has the keypair or it can be made from its public key. */
    private void keypair(ServerMetadata metadata, ObjectNode server, List<String> warnings) {
        ServerMetadata.KeypairRef key = metadata.keypair();
        if (key == null || cloud.hasKeypair(key.name())) {
            return;
        }
        if (key.visible() && key.publicKey() != null) {
            cloud.createKeypair(key.name(), key.publicKey());
            return;
        }
        server.remove("key_name");
        warnings.add("keypair " + key.name() + " is not on the target and its public key is unknown: the server was "
                + "created without a keypair");
    }

    private String createVolume(RestorePlan.Disk disk) {
        String id = cloud.createVolume(disk.volumeName(), disk.sizeGb(), targetType(disk));
        cloud.awaitVolumeAvailable(id);
        if (disk.bootable()) {
            cloud.setBootable(id);
        }
        return id;
    }

    /** The full diff applies onto Cinder's empty image (zeros); each later one onto its predecessor's end snapshot. */
    private void importData(RestorePlan.Disk disk, String volumeId) {
        String image = targetPool(disk) + "/volume-" + volumeId;
        for (String diff : disk.diffs()) {
            rbd.importDiff(Path.of(diff), image);
        }
        rbd.purgeSnapshots(image);
    }

    /** The disk's volume type in the restore cloud (null: its default type). */
    String targetType(RestorePlan.Disk disk) {
        return disk.volumeType() == null ? null : volumeTypes.getOrDefault(disk.volumeType(), disk.volumeType());
    }

    /** The RBD pool the restore cloud keeps volumes of the disk's type in. */
    String targetPool(RestorePlan.Disk disk) {
        return pools.volumePool(targetType(disk)).orElse(disk.pool());
    }

    TargetCloud cloud() {
        return cloud;
    }

    /** Runs the steps and turns a failure into one message naming the step and what exists already. */
    private static final class Progress implements Steps {
        private final RestorePlan plan;
        private final List<String> made = new ArrayList<>();

        Progress(RestorePlan plan) {
            this.plan = plan;
        }

        @Override
        public <T> T step(String name, Supplier<T> action) {
            try {
                return action.get();
            } catch (RuntimeException e) {
                throw new RestoreException("restoring server " + plan.serverId() + " (" + plan.name() + ") failed at "
                        + "step " + name + ": " + e.getMessage() + (made.isEmpty() ? "" : "; already made: "
                        + String.join(", ", made) + " (delete them before a new try)"));
            }
        }

        @Override
        public void made(String what) {
            made.add(what);
        }

        @Override
        public void run(String name, Runnable action) {
            step(name, () -> {
                action.run();
                return null;
            });
        }
    }
}
