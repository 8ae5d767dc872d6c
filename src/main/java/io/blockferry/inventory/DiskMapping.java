package io.blockferry.inventory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of mapping an inventory: each syncable server's disks in boot order, and everything
 * skipped with its reason.
 */
public record DiskMapping(Map<String, List<MappedDisk>> disksByServer, List<Skipped> skipped) {

    public DiskMapping {
        Map<String, List<MappedDisk>> copy = new LinkedHashMap<>();
        disksByServer.forEach((server, disks) -> copy.put(server, List.copyOf(disks)));
        disksByServer = java.util.Collections.unmodifiableMap(copy);
        skipped = List.copyOf(skipped);
    }

    /** The disks of one server, boot disk first; empty when the server was skipped or unknown. */
    public List<MappedDisk> disksOf(String serverId) {
        return disksByServer.getOrDefault(serverId, List.of());
    }
}
