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
}
