package io.blockferry.inventory;

import java.util.List;

/**
 * The restore metadata of a server from whichever cloud inventory has it: OpenStack's, or an HCS
 * backend's. The server-metadata route publishes what this finds, in one shape for every cloud.
 */
public final class ServerMetadataSources {

    private final List<InventoryService> clouds;

    public ServerMetadataSources(List<InventoryService> clouds) {
        this.clouds = List.copyOf(clouds);
    }

    /**
     * @throws IllegalArgumentException naming the server and the clouds asked when none has it
     */
    public ServerMetadata metadataOf(String serverId) {
        for (InventoryService cloud : clouds) {
            if (cloud.knows(serverId)) {
                return cloud.metadataOf(serverId);
            }
        }
        if (clouds.size() == 1) {
            return clouds.get(0).metadataOf(serverId);
        }
        throw new IllegalArgumentException("server '" + serverId + "' is in no inventory ("
                + String.join(", ", clouds.stream().map(InventoryService::cloud).toList()) + "): check the id, or wait"
                + " for the next poll if it was created just now");
    }

    public void metadataPublished(ServerMetadata record) {
        for (InventoryService cloud : clouds) {
            if (cloud.knows(record.serverId())) {
                cloud.metadataPublished(record);
            }
        }
    }
}
