package io.blockferry.transport;

import java.nio.ByteBuffer;

/** What one DATA or ZERO record changed. ZERO entries have a CRC32C of 0. */
public record ManifestEntry(boolean zero, long offset, long length, int crc32c) {

    /**
     * Why {@code bytes}, read now from this entry's range, differ from what the entry recorded, or
     * null when they match: zeros for a ZERO entry, the same CRC32C for a DATA entry.
     */
    public String mismatch(byte[] bytes) {
        String range = "[" + offset + ", " + (offset + length) + ")";
        if (zero) {
            for (byte b : bytes) {
                if (b != 0) {
                    return range + " was recorded as zeros but holds data";
                }
            }
            return null;
        }
        int actual = ChunkCodec.crc32c(bytes);
        return actual == crc32c ? null : String.format("%s has CRC32C %08x, recorded %08x", range, actual, crc32c);
    }

    /** As {@link #mismatch(byte[])}, for the bytes between a buffer's position and limit (it is not moved). */
    public String mismatch(ByteBuffer bytes) {
        String range = "[" + offset + ", " + (offset + length) + ")";
        if (zero) {
            ByteBuffer in = bytes.duplicate();
            while (in.remaining() >= Long.BYTES) {
                if (in.getLong() != 0) {
                    return range + " was recorded as zeros but holds data";
                }
            }
            while (in.hasRemaining()) {
                if (in.get() != 0) {
                    return range + " was recorded as zeros but holds data";
                }
            }
            return null;
        }
        int actual = ChunkCodec.crc32c(bytes);
        return actual == crc32c ? null : String.format("%s has CRC32C %08x, recorded %08x", range, actual, crc32c);
    }

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
