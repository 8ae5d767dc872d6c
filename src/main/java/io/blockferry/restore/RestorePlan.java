package io.blockferry.restore;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The ordered steps that rebuild a server from its metadata and its disks' recovery points, as
 * commands an operator can run (the openstack and rbd CLIs), plus the Nova request body of the
 * last step for tools that call the API. {@code $VOLUME_n} is the id of the volume step n made.
 *
 * @param serverId   the source server
 * @param capturedAt when the metadata was captured (epoch ms)
 * @param warnings   what the plan cannot do by itself (a keypair nobody can see, a disk not replicated)
 * @param disks      the volumes to create and fill, in boot order: the steps as data, for {@link RestoreRunner}
 * @param serverBody the body of POST /servers (compute 2.52+ for tags), with $VOLUME_n placeholders
 */
public record RestorePlan(String serverId, String name, long capturedAt, List<Step> steps, List<String> warnings,
                          List<Disk> disks, JsonNode serverBody) {

    public RestorePlan {
        steps = List.copyOf(steps);
        warnings = List.copyOf(warnings);
        disks = List.copyOf(disks);
    }

    /**
     * One volume to restore.
     *
     * @param placeholder the {@code $VOLUME_n} standing for its id in {@link #serverBody()}
     * @param volumeType  the source's volume type, or null (the target's default type)
     * @param pool        the pool Cinder puts the new volume in when the target uses the source's pool layout
     * @param diffs       the rbd export-diff files to import, oldest (the full one) first
     */
    public record Disk(int bootIndex, String device, String placeholder, String volumeName, long sizeGb,
                       String volumeType, boolean bootable, String pool, List<String> diffs) {
        public Disk {
            diffs = List.copyOf(diffs);
        }
    }

    /**
     * One step.
     *
     * @param action   create-flavor, create-keypair, create-volume, import-data or create-server
     * @param commands shell commands, in order
     */
    public record Step(int order, String action, String description, List<String> commands) {
        public Step {
            commands = List.copyOf(commands);
        }
    }
}
