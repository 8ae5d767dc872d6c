package io.blockferry.inventory;

/** A Glance image: what an image-booted server started from, named in its restore metadata. */
public record Image(String id, String name, String status, String diskFormat, String containerFormat, long sizeBytes,
                    int minDiskGb, int minRamMb, String visibility, String ownerProjectId) {
}
