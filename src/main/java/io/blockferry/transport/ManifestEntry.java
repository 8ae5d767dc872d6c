package io.blockferry.transport;

/** What one DATA or ZERO record changed. ZERO entries have a CRC32C of 0. */
public record ManifestEntry(boolean zero, long offset, long length, int crc32c) {

    public static ManifestEntry of(ChunkRecord record) {
        if (record instanceof ChunkRecord.Data d) {
            return new ManifestEntry(false, d.offset(), d.length(), d.crc32c());
        }
        if (record instanceof ChunkRecord.Zero z) {
            return new ManifestEntry(true, z.offset(), z.length(), 0);
        }
        throw new IllegalArgumentException("only DATA and ZERO records are manifest entries");
    }
}
