package io.blockferry.inventory;

import java.util.List;

/**
 * A Nova server as polled.
 *
 * @param taskState  Nova's task state (migrating, resize_prep, ...), or null when idle
 * @param host       the compute host, or null when the caller may not see it (non-admin)
 * @param rootDevice the root device name, e.g. /dev/vda, or null when not reported
 * @param volumes    the attached volumes, in Nova's order
 */
public record Server(String id, String name, String projectId, String status, String taskState, String host,
                     String flavorId, String flavorName, List<String> tags, List<ServerVolume> volumes,
                     BootSource bootSource, String rootDevice) {

    public Server {
        tags = List.copyOf(tags);
        volumes = List.copyOf(volumes);
    }
}
