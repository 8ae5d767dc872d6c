package io.blockferry.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class ChunkCodecTest {

    @Test
    void should_round_trip_every_record_type() {
        var begin = new ChunkRecord.Begin("volumes/a", 7, SyncMode.INCREMENTAL, "scheduled", 123_456_789L, 1 << 20,
                "blockferry-g000007", "blockferry-g000006", "abc123", 42L, 5);
        byte[] payload = "some changed bytes".getBytes(StandardCharsets.UTF_8);
        var data = new ChunkRecord.Data("volumes/a", 7, 1, 4096, ChunkCodec.crc32c(payload), payload);
        var zero = new ChunkRecord.Zero("volumes/a", 7, 2, 1 << 20, 1 << 20);
        var end = new ChunkRecord.End("volumes/a", 7, 3, 1, 1, payload.length, 1 << 20, new byte[32]);

        assertEquals(begin, ChunkCodec.decode(ChunkCodec.encode(begin)));
        ChunkRecord.Data decoded = (ChunkRecord.Data) ChunkCodec.decode(ChunkCodec.encode(data));
        assertArrayEquals(payload, decoded.payload());
        assertEquals(data.crc32c(), decoded.crc32c());
        assertEquals(4096, decoded.offset());
        assertEquals(zero, ChunkCodec.decode(ChunkCodec.encode(zero)));
        ChunkRecord.End decodedEnd = (ChunkRecord.End) ChunkCodec.decode(ChunkCodec.encode(end));
        assertEquals(end.dataBytes(), decodedEnd.dataBytes());
        assertEquals(3, decodedEnd.seq());
    }

    @Test
    void should_read_a_version_1_begin_as_leaving_retention_to_the_target() {
        var begin = new ChunkRecord.Begin("volumes/a", 7, SyncMode.FULL, "first-sync", 4096, 1 << 20,
                "blockferry-g000007", null, "abc123", 42L, 5);
        byte[] v2 = ChunkCodec.encode(begin);
        // a version 1 BEGIN is the same frame without keepPoints (after mode, size, chunk size, creation time)
        int keepPointsAt = 4 + 1 + 1 + 8 + 8 + 2 + "volumes/a".length() + 1 + 8 + 4 + 8;
        ByteBuffer v1 = ByteBuffer.allocate(v2.length - 4);
        v1.put(v2, 0, keepPointsAt).put(v2, keepPointsAt + 4, v2.length - keepPointsAt - 8);
        v1.put(4, (byte) 1);
        CRC32C crc = new CRC32C();
        crc.update(v1.array(), 0, v1.position());
        v1.putInt((int) crc.getValue());

        ChunkRecord.Begin decoded = (ChunkRecord.Begin) ChunkCodec.decode(v1.array());

        assertEquals(0, decoded.keepPoints());
        assertEquals("blockferry-g000007", decoded.snapshot());
        assertEquals(begin.createdAtMillis(), decoded.createdAtMillis());
    }

    @Test
    void should_name_the_fix_for_a_record_from_a_newer_source() {
        byte[] frame = ChunkCodec.encode(new ChunkRecord.Zero("volumes/a", 7, 2, 0, 4096));
        frame[4] = 3;
        MalformedRecordException e = assertThrows(MalformedRecordException.class, () -> ChunkCodec.decode(frame));
        assertEquals("chunk record version 3 is not supported (this writer reads versions 1 to 2): the source is "
                + "newer; upgrade the writer to the source's version", e.getMessage());
    }

    @Test
    void should_reject_a_foreign_record() {
        MalformedRecordException e = assertThrows(MalformedRecordException.class,
                () -> ChunkCodec.decode("{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("not a chunk record"), e.getMessage());
    }

    @Test
    void should_reject_a_damaged_header() {
        byte[] frame = ChunkCodec.encode(new ChunkRecord.Zero("volumes/a", 7, 2, 0, 4096));
        frame[20] ^= 1;
        MalformedRecordException e = assertThrows(MalformedRecordException.class, () -> ChunkCodec.decode(frame));
        assertTrue(e.getMessage().contains("CRC32C"), e.getMessage());
    }

    @Test
    void should_reject_a_truncated_record() {
        byte[] frame = ChunkCodec.encode(new ChunkRecord.Data("v", 1, 1, 0, 0, new byte[100]));
        byte[] cut = java.util.Arrays.copyOf(frame, frame.length - 10);
        assertThrows(MalformedRecordException.class, () -> ChunkCodec.decode(cut));
    }
}
