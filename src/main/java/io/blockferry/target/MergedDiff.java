package io.blockferry.target;

/** What a merged diff holds: its records as counted for the catalog, and the digest of its manifest. */
public record MergedDiff(long dataChunks, long zeroChunks, long dataBytes, long zeroBytes, byte[] manifestDigest) {
}
