package io.blockferry.source;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Names of Blockferry's own snapshots: a recognisable prefix, the generation and the UTC time.
 * Blockferry only ever deletes snapshots whose names carry its prefix.
 */
public final class SnapshotNames {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private final String prefix;

    public SnapshotNames(String prefix) {
        if (prefix == null || prefix.isBlank()) {
            throw new IllegalArgumentException("the snapshot prefix must not be empty: Blockferry would not be able "
                    + "to tell its snapshots from others");
        }
        this.prefix = prefix;
    }

    public String forGeneration(long generation, Instant at) {
        return prefix + String.format("g%06d-", generation) + STAMP.format(at);
    }

    public boolean isOwn(String snapshot) {
        return snapshot.startsWith(prefix);
    }

    /** The generation an own snapshot was taken for, or -1 if the name does not carry one. */
    public long generationOf(String snapshot) {
        if (!isOwn(snapshot) || snapshot.length() <= prefix.length() + 1 || snapshot.charAt(prefix.length()) != 'g') {
            return -1;
        }
        int dash = snapshot.indexOf('-', prefix.length());
        try {
            return Long.parseLong(snapshot.substring(prefix.length() + 1, dash < 0 ? snapshot.length() : dash));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
