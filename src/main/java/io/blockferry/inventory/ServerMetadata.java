package io.blockferry.inventory;

import java.util.List;

/**
 * What a restore needs to rebuild a server elsewhere, published on the metadata topic keyed by
 * server id. Disks are in boot order: the boot disk first (bootIndex 0), then by device name.
 *
 * @param schemaVersion  bumped when a field changes meaning
 * @param image          the Glance image the server booted from (id only when Glance did not list it), or null
 * @param keypair        the keypair named at boot, or null
 * @param ports          Neutron's ports of the server (empty without networks)
 * @param skippedDisks   attached disks that are not replicated, with the reason
 * @param capturedAtMillis when the inventory this was built from was polled
 */
public record ServerMetadata(int schemaVersion, String serverId, String name, String projectId, String projectName,
                             String domainId, String domainName, String status, String host, String availabilityZone,
                             Flavor flavor, Image image, KeypairRef keypair, List<Port> ports,
                             List<String> securityGroups, List<String> tags, List<Disk> disks,
                             List<Skipped> skippedDisks, long capturedAtMillis) {

    public static final int SCHEMA_VERSION = 1;

    public ServerMetadata {
        ports = List.copyOf(ports);
        securityGroups = List.copyOf(securityGroups);
        tags = List.copyOf(tags);
        disks = List.copyOf(disks);
        skippedDisks = List.copyOf(skippedDisks);
    }

    /**
     * One disk of the server.
     *
     * @param volumeId   the Cinder volume, or null for an image-booted server's root disk
     * @param volumeType the Cinder volume type, or null for the root disk of an image-booted server
     * @param imageSpec  {@code pool/image} on the source Ceph: the volume id of the replica on the target
     */
    public record Disk(int bootIndex, String device, String volumeId, String volumeName, long sizeGb,
                       String volumeType, boolean bootable, String imageSpec) {
    }

    /**
     * The keypair named at boot. Nova only lists a user's own keypairs: one made by another user is
     * {@code visible=false}, without public key, and must be recreated under the same name.
     */
    public record KeypairRef(String name, boolean visible, String type, String fingerprint, String publicKey) {
    }

    /** The same metadata stamped with another time: two records that differ only in time are the same. */
    public ServerMetadata at(long millis) {
        return new ServerMetadata(schemaVersion, serverId, name, projectId, projectName, domainId, domainName, status,
                host, availabilityZone, flavor, image, keypair, ports, securityGroups, tags, disks, skippedDisks, millis);
    }
}
