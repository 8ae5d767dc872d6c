package io.blockferry.inventory;

/** A Cinder snapshot (RBD snapshot {@code snapshot-<id>} of its volume's image); foreign to Blockferry. */
public record VolumeSnapshot(String id, String name, String volumeId, String status, long sizeGb, String projectId,
                             String createdAt) {
}
