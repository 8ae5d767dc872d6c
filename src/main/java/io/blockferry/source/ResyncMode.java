package io.blockferry.source;

/** What the source does at a chain break ({@code blockferry.source.chain-break-resync}). */
public enum ResyncMode {
    /** Read the whole volume and send only the chunks whose SHA-256 differs from the target's newest point. */
    CHECKSUM,
    /** Send every allocated byte again. */
    FULL,
    /** Wait for a requested full sync. */
    MANUAL;

    /** From the configured word; "auto" is the name "full" had before checksum resyncs. */
    public static ResyncMode of(String word) {
        return switch (word) {
            case "checksum" -> CHECKSUM;
            case "full", "auto" -> FULL;
            case "manual" -> MANUAL;
            default -> throw new IllegalArgumentException("blockferry.source.chain-break-resync is '" + word
                    + "': use checksum, full or manual");
        };
    }
}
