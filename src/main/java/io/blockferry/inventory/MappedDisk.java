package io.blockferry.inventory;

/**
 * One disk of a server and the RBD image that holds it.
 *
 * @param volumeId the Cinder volume, or null for an image-booted server's ephemeral root disk
 */
public record MappedDisk(String serverId, String device, String volumeId, String pool, String image, long sizeGb,
                         boolean bootable) {

    /** The {@code pool/image} spec the rbd CLI and the sync pipeline use. */
    public String imageSpec() {
        return pool + "/" + image;
    }
}
