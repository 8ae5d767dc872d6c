package io.blockferry.inventory;

/**
 * What a server booted from: a Cinder volume (its root disk is that volume) or a Glance image
 * (its root disk is the ephemeral RBD image {@code <server-uuid>_disk} in the vms pool).
 */
public record BootSource(Kind kind, String id) {

    public enum Kind { VOLUME, IMAGE, UNKNOWN }

    public static BootSource volume(String volumeId) {
        return new BootSource(Kind.VOLUME, volumeId);
    }

    public static BootSource image(String imageId) {
        return new BootSource(Kind.IMAGE, imageId);
    }

    /** Booted from a volume Blockferry cannot see (another project's, or not yet attached). */
    public static BootSource unknown() {
        return new BootSource(Kind.UNKNOWN, null);
    }
}
