package io.blockferry.transport;

/** Older frames for tests outside this package. */
public final class ChunkCodecTestAccess {

    private ChunkCodecTestAccess() {
    }

    /** A BEGIN as version 3 wrote it: no trailer, so unsigned. */
    public static byte[] version3Begin(ChunkRecord.Begin begin) {
        return ChunkCodecTest.olderBegin(begin, (byte) 3, 0);
    }
}
