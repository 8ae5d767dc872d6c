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
        assertArrayEquals(payload, decoded.payloadBytes());
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
                "blockferry-g000007", null, "abc123", 42L, 5, 999);
        ChunkRecord.Begin decoded = (ChunkRecord.Begin) ChunkCodec.decode(olderBegin(begin, (byte) 1, 12));

        assertEquals(0, decoded.keepPoints());
        assertEquals(0, decoded.changedBytes());
        assertEquals("blockferry-g000007", decoded.snapshot());
        assertEquals(begin.createdAtMillis(), decoded.createdAtMillis());
    }

    @Test
    void should_read_a_version_2_begin_without_its_changed_bytes() {
        var begin = new ChunkRecord.Begin("volumes/a", 7, SyncMode.FULL, "first-sync", 4096, 1 << 20,
                "blockferry-g000007", null, "abc123", 42L, 5, 999);
        ChunkRecord.Begin decoded = (ChunkRecord.Begin) ChunkCodec.decode(olderBegin(begin, (byte) 2, 8));

        assertEquals(5, decoded.keepPoints());
        assertEquals(0, decoded.changedBytes());
        assertEquals("abc123", decoded.imageId());
    }

    /**
     * A BEGIN as an older release wrote it: the same frame without the fields added since (the
     * {@code dropped} bytes before the strings: keepPoints in version 2, changedBytes in 3), and
     * without version 4's trailer.
     */
    static byte[] olderBegin(ChunkRecord.Begin begin, byte version, int dropped) {
        byte[] v5 = ChunkCodec.encode(begin);
        // without the trailer (1 byte, unsigned), the header CRC (4) and version 5's sourceSite (empty: 2)
        int body = v5.length - 1;
        int stringsAt = 4 + 1 + 1 + 8 + 8 + 2 + begin.volumeId().length() + 1 + 8 + 4 + 8 + 4 + 8;
        int keptUpTo = stringsAt - dropped;
        ByteBuffer older = ByteBuffer.allocate(body - dropped - 2);
        older.put(v5, 0, keptUpTo).put(v5, stringsAt, body - stringsAt - 4 - 2);
        older.put(4, version);
        CRC32C crc = new CRC32C();
        crc.update(older.array(), 0, older.position());
        older.putInt((int) crc.getValue());
        return older.array();
    }

    @Test
    void should_carry_the_source_site_in_a_version_5_begin_and_read_a_version_4_begin_without_one() {
        ChunkRecord.Begin begin = new ChunkRecord.Begin("volumes/a", 3, SyncMode.INCREMENTAL, "scheduled", 1 << 20,
                1 << 20, "s3", "s2", "id", 5, 2, 4096).fromSite("site-east");
        assertEquals("site-east", ((ChunkRecord.Begin) ChunkCodec.decode(ChunkCodec.encode(begin))).sourceSite());
        // version 4: the same frame without the site (its string ends just before the header CRC)
        byte[] v5 = ChunkCodec.encode(begin.fromSite(""));
        int crcAt = v5.length - 1 - 4;
        ByteBuffer v4 = ByteBuffer.allocate(v5.length - 2);
        v4.put(v5, 0, crcAt - 2);
        v4.put(4, (byte) 4);
        CRC32C crc = new CRC32C();
        crc.update(v4.array(), 0, v4.position());
        v4.putInt((int) crc.getValue()).put((byte) 0);
        ChunkRecord.Begin old = (ChunkRecord.Begin) ChunkCodec.decode(v4.array());
        assertEquals("", old.sourceSite());
        assertEquals("s2", old.baseSnapshot());
        assertEquals(4096, old.changedBytes());
    }

    @Test
    void should_decode_a_payload_as_a_view_of_the_frame_without_copying_it() {
        byte[] payload = "bytes".getBytes(StandardCharsets.UTF_8);
        byte[] frame = ChunkCodec.encode(new ChunkRecord.Data("volumes/a", 1, 1, 0, ChunkCodec.crc32c(payload), payload));
        ChunkRecord.Data decoded = (ChunkRecord.Data) ChunkCodec.decode(ByteBuffer.wrap(frame));
        frame[frame.length - 2] = 'X'; // the last payload byte: an unsigned trailer (one byte) follows
        assertEquals("byteX", new String(decoded.payloadBytes(), StandardCharsets.UTF_8));
        assertTrue(decoded.payload().isReadOnly());
    }

    @Test
    void should_reject_ranges_that_overflow_or_are_not_on_a_disk() {
        for (long[] range : new long[][] {{Long.MAX_VALUE - 10, 100}, {-1, 4096}, {0, 0}, {1L << 57, 1}}) {
            byte[] frame = ChunkCodec.encode(new ChunkRecord.Zero("volumes/a", 7, 2, range[0], range[1]));
            MalformedRecordException e = assertThrows(MalformedRecordException.class, () -> ChunkCodec.decode(frame));
            assertTrue(e.getMessage().contains("not a range of a disk"), e.getMessage());
        }
    }

    @Test
    void should_reject_a_begin_with_an_impossible_size() {
        byte[] frame = ChunkCodec.encode(new ChunkRecord.Begin("volumes/a", 7, SyncMode.FULL, "first-sync",
                1L << 60, 1 << 20, "s", null, "id", 0, 0));
        MalformedRecordException e = assertThrows(MalformedRecordException.class, () -> ChunkCodec.decode(frame));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
    }

    @Test
    void should_name_the_fix_for_a_record_from_a_newer_source() {
        byte[] frame = ChunkCodec.encode(new ChunkRecord.Zero("volumes/a", 7, 2, 0, 4096));
        frame[4] = 6;
        MalformedRecordException e = assertThrows(MalformedRecordException.class, () -> ChunkCodec.decode(frame));
        assertEquals("chunk record version 6 is not supported (this writer reads versions 1 to 5): the source is "
                + "newer; upgrade the writer to the source's version", e.getMessage());
        assertEquals("record-version-unsupported", ((MalformedRecordException) e).failureCause().wire());
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
