package io.blockferry.inventory;

/** Cinder's view of one attachment of a volume. */
public record VolumeAttachment(String serverId, String device) {
}
