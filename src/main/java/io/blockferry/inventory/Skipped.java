package io.blockferry.inventory;

/**
 * A server or one of its disks that Blockferry will not sync this round, and why.
 *
 * @param volumeId the skipped volume, or null when the whole server is skipped
 * @param reason   a stable kebab-case code from {@link SkipReason}, for events and metrics
 * @param message  a sentence for the operator
 */
public record Skipped(String serverId, String volumeId, String reason, String message) {
}
