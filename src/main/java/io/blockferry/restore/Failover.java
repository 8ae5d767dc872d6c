package io.blockferry.restore;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.blockferry.inventory.ServerMetadata;
import io.blockferry.target.rbd.RbdClones;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Boots a server on the DR site from its disks' DR snapshots: each disk a copy-on-write clone of
 * its point's DR snapshot in the cloud's volume pool, adopted by Cinder (manage existing), then the
 * server with its flavor, keypair, tags and disk order from the restore metadata. Nothing is
 * copied, so it takes the same time for any disk size.
 *
 * <p>A drill does the same under the server's name with {@code -drill}, tagged {@value #DRILL_TAG},
 * its volumes marked with the metadata key {@value #DRILL_KEY}; replication goes on meanwhile, and
 * {@link #cleanUpDrills} removes what drills made. Neither touches the DR images' data or their
 * snapshots: the clones only protect the snapshots they come from ({@link RbdClones}).
 */
public final class Failover {

    public static final String DRILL_TAG = "blockferry-drill";
    public static final String DRILL_KEY = "blockferry-drill";
    /** Metadata of every failed-over volume: the DR snapshot it is a clone of. */
    public static final String SOURCE_KEY = "blockferry-failover-of";

    /** What a drill cleanup removed. */
    public record Cleanup(List<String> servers, List<String> volumes, List<String> releasedSnapshots) {
    }

    private final RestoreRunner runner;
    private final RbdClones clones;

    public Failover(RestoreRunner runner, RbdClones clones) {
        this.runner = runner;
        this.clones = clones;
    }

    /**
     * @param snapshots each disk's DR snapshot (pool/image@snapshot), by the plan's disk placeholder
     * @param drill     whether this is a drill (named, tagged and marked as one)
     */
    public RestoreRunner.Result failover(ServerMetadata metadata, RestorePlan plan, Map<String, String> snapshots,
                                         boolean drill) {
        String run = UUID.randomUUID().toString().substring(0, 8);
        TargetCloud cloud = runner.cloud();
        return runner.rebuild(metadata, plan, (disk, steps) -> {
            String snapshot = snapshots.get(disk.placeholder());
            String type = runner.targetType(disk);
            String pool = runner.targetPool(disk);
            String clone = "blockferry-failover-" + run + "-" + disk.bootIndex();
            steps.run("clone " + snapshot + " to " + pool + "/" + clone, () -> clones.clone(snapshot, pool, clone));
            steps.made("RBD clone " + pool + "/" + clone);
            String host = steps.step("find the Cinder backend of volume type " + type, () -> cloud.backendHost(type));
            Map<String, String> marks = new LinkedHashMap<>();
            marks.put(SOURCE_KEY, snapshot);
            if (drill) {
                marks.put(DRILL_KEY, run);
            }
            String id = steps.step("adopt " + pool + "/" + clone + " as a Cinder volume on " + host, () -> cloud
                    .manageVolume(host, clone, disk.volumeName() + (drill ? "-drill" : ""), type, disk.bootable(), marks));
            steps.made("volume " + id + " (a clone of " + snapshot + ")");
            steps.run("await volume " + id + " available", () -> cloud.awaitVolumeAvailable(id));
            if (disk.bootable()) {
                steps.run("mark volume " + id + " bootable", () -> cloud.setBootable(id));
            }
            return id;
        }, server -> {
            if (drill) {
                server.put("name", server.path("name").asText() + "-drill");
                ArrayNode tags = server.has("tags") ? (ArrayNode) server.get("tags") : server.putArray("tags");
                tags.add(DRILL_TAG);
                ObjectNode meta = server.has("metadata") ? (ObjectNode) server.get("metadata") : server.putObject("metadata");
                meta.put(DRILL_KEY, run);
            }
        });
    }

    /**
     * Removes every server and volume a drill made in the project (tag {@value #DRILL_TAG}, metadata
     * {@value #DRILL_KEY}), then unprotects the DR snapshots in {@code drPools} no clone uses any more.
     */
    public Cleanup cleanUpDrills(java.util.Collection<String> drPools) {
        TargetCloud cloud = runner.cloud();
        List<String> servers = cloud.serversTagged(DRILL_TAG);
        servers.forEach(cloud::deleteServer);
        List<String> volumes = cloud.volumesWithMetadata(DRILL_KEY);
        volumes.forEach(cloud::deleteVolume);
        return new Cleanup(servers, volumes, clones.releaseUnused(drPools));
    }
}
