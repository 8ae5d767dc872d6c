package io.blockferry.hcssim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.hcssim.HcsSim.Resp;
import io.blockferry.hcssim.HcsSim.Session;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * lun_bitmap get_unshared / get_alloc computed from data really written (hcs-dorado-api.md §2.6-2.8,
 * §4.2): exact chunk sets, 256 MiB segment paging, a LUN not a multiple of the chunk size, every
 * encoding and bit order, and the parameter rules.
 */
class DoradoBitmapContractTest {

    static final long CHUNK = 65536;
    static HcsSim sim;
    Session s;

    @BeforeAll
    static void start() {
        sim = HcsSim.start();
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @BeforeEach
    void reset() {
        sim.reset();
        s = sim.dorado();
    }

    private void writeChunk(String vol, long chunk, int offsetInChunk, int length, int seed) {
        sim.writeOp(vol, Bitmaps.raw(chunk * CHUNK + offsetInChunk, length, seed));
    }

    private static TreeSet<Long> set(Long... xs) {
        return new TreeSet<>(List.of(xs));
    }

    @Test
    void should_mark_exactly_the_changed_chunks_across_four_segments() {
        JsonNode v = sim.volume(HcsSim.GIB, Map.of());
        String vol = v.get("id").asText();
        writeChunk(vol, 0, 0, 65536, 1);
        writeChunk(vol, 5, 100, 512, 2);
        writeChunk(vol, 4095, 65024, 512, 3);
        writeChunk(vol, 4096, 0, 512, 4);
        sim.writeOp(vol, Bitmaps.raw(10000 * CHUNK + 7, 2 * 65536, 5)); // chunks 10000-10002
        String a = sim.snapshotLun(sim.snapshot(vol));
        writeChunk(vol, 5, 4000, 1, 9);                // one byte of an already written chunk
        writeChunk(vol, 12000, 0, 4096, 6);
        writeChunk(vol, 16383, 65024, 512, 7);          // the last sector of the LUN
        byte[] same = sim.data("volumes", vol, 0, 65536);
        sim.write(vol, 0, same);                         // rewriting identical bytes is no change
        String b = sim.snapshotLun(sim.snapshot(vol));
        assertEquals(set(5L, 12000L, 16383L), Bitmaps.page(sim, s, b, a, HcsSim.GIB, CHUNK));
        assertEquals(set(), Bitmaps.page(sim, s, a, a, HcsSim.GIB, CHUNK), "an object against itself");
        JsonNode seg = Bitmaps.segment(sim, s, b, a, CHUNK, 0, 256L << 20);
        assertEquals("1", seg.get("UNSHAREDCHUNKS").asText());
        assertEquals("4096", seg.get("SCANNEDCHUNKS").asText());
        assertEquals(b, seg.get("LUNID").asText());
        assertEquals(a, seg.get("BASELUNID").asText());
        assertEquals(684, seg.get("CHUNKBITMAP").asText().length(), "512 bytes in base64");
    }

    @Test
    void should_mark_exactly_the_written_chunks_in_get_alloc() {
        String vol = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        writeChunk(vol, 3, 0, 10, 1);
        sim.writeOp(vol, Bitmaps.raw(4090 * CHUNK, 8 * 65536, 2)); // 4090-4097, across segments 0 and 1
        sim.writeOp(vol, Map.of("offset", 9000 * CHUNK, "length", 65536, "zero", true));
        writeChunk(vol, 12000, 0, 65536, 3);
        String a = sim.snapshotLun(sim.snapshot(vol));
        TreeSet<Long> expected = set(3L, 4090L, 4091L, 4092L, 4093L, 4094L, 4095L, 4096L, 4097L, 12000L);
        assertEquals(expected, Bitmaps.page(sim, s, a, null, HcsSim.GIB, CHUNK), "zeros are not data (zero_detect)");
        sim.writeOp(vol, Map.of("offset", 4092 * CHUNK, "length", 2 * 65536, "discard", true));
        sim.writeOp(vol, Map.of("offset", 12000 * CHUNK, "length", 65536, "zero", true));
        String lun = sim.control("GET", "/volumes/" + vol, null).get("lun_id").asText();
        assertEquals(set(3L, 4090L, 4091L, 4094L, 4095L, 4096L, 4097L), Bitmaps.page(sim, s, lun, null, HcsSim.GIB, CHUNK),
                "discard and zeros make holes on the live LUN");
        assertEquals(expected, Bitmaps.page(sim, s, a, null, HcsSim.GIB, CHUNK), "the snapshot keeps its data");
        String b = sim.snapshotLun(sim.snapshot(vol));
        assertEquals(set(4092L, 4093L, 12000L), Bitmaps.page(sim, s, b, a, HcsSim.GIB, CHUNK));
        sim.settings(Map.of("zero_detect", false));
        sim.writeOp(vol, Map.of("offset", 500 * CHUNK, "length", 65536, "zero", true));
        assertTrue(Bitmaps.page(sim, s, lun, null, HcsSim.GIB, CHUNK).contains(500L), "written zeros count without zero_detect");
    }

    @Test
    void should_compare_the_live_lun_with_a_snapshot() {
        JsonNode v = sim.volume(HcsSim.GIB, Map.of());
        String vol = v.get("id").asText();
        String a = sim.snapshotLun(sim.snapshot(vol));
        writeChunk(vol, 77, 0, 1, 1);
        assertEquals(set(77L), Bitmaps.page(sim, s, v.get("lun_id").asText(), a, HcsSim.GIB, CHUNK));
        Resp reversed = sim.dorado(s, "GET", Bitmaps.query(a, v.get("lun_id").asText(), CHUNK, 0, 256L << 20), null);
        assertEquals(50331651L, reversed.json().at("/error/code").asLong(), "the base must be the older object");
        String other = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        String c = sim.snapshotLun(sim.snapshot(other));
        Resp foreign = sim.dorado(s, "GET", Bitmaps.query(c, a, CHUNK, 0, 256L << 20), null);
        assertEquals(50331651L, foreign.json().at("/error/code").asLong());
        assertTrue(foreign.json().at("/error/description").asText().contains("not an ancestor"));
    }

    @Test
    void should_page_a_lun_that_is_not_a_multiple_of_the_chunk_size() {
        long size = (256L << 20) + 65536 + 4096;
        String vol = sim.volume(size, Map.of()).get("id").asText();
        String a = sim.snapshotLun(sim.snapshot(vol));
        sim.writeOp(vol, Bitmaps.raw(size - 512, 512, 1));
        sim.writeOp(vol, Bitmaps.raw(0, 1, 2));
        String b = sim.snapshotLun(sim.snapshot(vol));
        JsonNode last = Bitmaps.segment(sim, s, b, a, CHUNK, 256L << 20, 65536 + 4096);
        assertEquals("2", last.get("SCANNEDCHUNKS").asText(), "ceil(len / chunk): the last chunk is clipped");
        assertEquals(set(1L), toSet(Bitmaps.decode(last.get("CHUNKBITMAP").asText(), "BASE64", "MSB_FIRST", 2)));
        assertEquals(set(0L, 4097L), Bitmaps.page(sim, s, b, a, size, CHUNK));
        Resp past = sim.dorado(s, "GET", Bitmaps.query(b, a, CHUNK, 256L << 20, 2 * 65536), null);
        assertEquals(50331651L, past.json().at("/error/code").asLong(), "CLIP: no segment past the end");
        sim.settings(Map.of("bitmap_last_chunk", "PAD"));
        JsonNode padded = Bitmaps.segment(sim, s, b, a, CHUNK, 256L << 20, 2 * 65536);
        assertEquals("2", padded.get("SCANNEDCHUNKS").asText());
        Resp unpadded = sim.dorado(s, "GET", Bitmaps.query(b, a, CHUNK, 256L << 20, 65536 + 4096), null);
        assertEquals(50331651L, unpadded.json().at("/error/code").asLong(), "PAD: lengths stay chunk multiples");
    }

    private static Set<Long> toSet(BitSet bits) {
        TreeSet<Long> out = new TreeSet<>();
        bits.stream().forEach(i -> out.add((long) i));
        return out;
    }

    @Test
    void should_encode_chunkbitmap_as_each_setting_says() {
        String vol = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        String a = sim.snapshotLun(sim.snapshot(vol));
        for (long c : new long[] {0, 3, 9}) {
            writeChunk(vol, c, 0, 512, 1);
        }
        String b = sim.snapshotLun(sim.snapshot(vol));
        String q = Bitmaps.query(b, a, CHUNK, 0, 16 * CHUNK);
        assertEquals("kEA=", sim.doradoOk(s, "GET", q, null).get("CHUNKBITMAP").asText(), "default BASE64, MSB_FIRST");
        sim.settings(Map.of("bitmap_bit_order", "LSB_FIRST"));
        assertEquals("CQI=", sim.doradoOk(s, "GET", q, null).get("CHUNKBITMAP").asText());
        sim.settings(Map.of("bitmap_encoding", "HEX"));
        assertEquals("0902", sim.doradoOk(s, "GET", q, null).get("CHUNKBITMAP").asText());
        sim.settings(Map.of("bitmap_bit_order", "MSB_FIRST"));
        assertEquals("9040", sim.doradoOk(s, "GET", q, null).get("CHUNKBITMAP").asText());
        sim.settings(Map.of("bitmap_encoding", "BITCHARS"));
        assertEquals("1001000001000000", sim.doradoOk(s, "GET", q, null).get("CHUNKBITMAP").asText());
        assertEquals("3", sim.doradoOk(s, "GET", q, null).get("UNSHAREDCHUNKS").asText());
    }

    @Test
    void should_group_chunks_when_bitmapchunksize_is_a_multiple_of_the_chunk_size() {
        String vol = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        String a = sim.snapshotLun(sim.snapshot(vol));
        writeChunk(vol, 5, 0, 1, 1);
        writeChunk(vol, 8, 0, 1, 1);
        writeChunk(vol, 9, 0, 1, 1);
        String b = sim.snapshotLun(sim.snapshot(vol));
        assertEquals(set(2L, 4L), Bitmaps.page(sim, s, b, a, HcsSim.GIB, 2 * CHUNK));
        JsonNode seg = Bitmaps.segment(sim, s, b, a, 4 * CHUNK, 0, 256L << 20);
        assertEquals("1024", seg.get("SCANNEDCHUNKS").asText());
        assertEquals("2", seg.get("UNSHAREDCHUNKS").asText());
    }

    @Test
    void should_reject_parameters_that_do_not_fit_with_50331651_naming_them() {
        String vol = sim.volume(HcsSim.GIB, Map.of()).get("id").asText();
        String a = sim.snapshotLun(sim.snapshot(vol));
        assertRejected(Bitmaps.query(a, null, 4096, 0, 1 << 20), "BITMAPCHUNKSIZE 4096 is not a positive multiple");
        assertRejected(Bitmaps.query(a, null, CHUNK, 4096, 1 << 20), "SEGMENTSTARTOFFSETBYTES 4096");
        assertRejected(Bitmaps.query(a, null, CHUNK, 0, (256L << 20) + CHUNK), "SEGMENTLENGTHBYTES");
        assertRejected(Bitmaps.query(a, null, CHUNK, HcsSim.GIB - CHUNK, 2 * CHUNK), "ends past");
        assertRejected(Bitmaps.query(a, null, CHUNK, 0, 1000), "not a multiple of BITMAPCHUNKSIZE");
        assertRejected("lun_bitmap/get_unshared?LUNID=" + a + "&BITMAPCHUNKSIZE=65536&SEGMENTLENGTHBYTES=65536"
                + "&SEGMENTSTARTOFFSETBYTES=0", "LUNID and BASELUNID are required");
        assertRejected("lun_bitmap/get_alloc?LUNID=" + a + "&BITMAPCHUNKSIZE=65536&SEGMENTLENGTHBYTES=65536",
                "SEGMENTSTARTOFFSETBYTES is required");
        Resp gone = sim.dorado(s, "GET", Bitmaps.query("99999", null, CHUNK, 0, CHUNK), null);
        assertEquals(1077948996L, gone.json().at("/error/code").asLong(), "an id that never existed");
    }

    private void assertRejected(String path, String text) {
        Resp r = sim.dorado(s, "GET", path, null);
        assertEquals(200, r.status());
        assertEquals(50331651L, r.json().at("/error/code").asLong(), r.text());
        assertTrue(r.json().at("/error/description").asText().contains(text), r.text());
    }

    @Test
    void should_use_the_chunk_size_and_its_field_name_of_the_settings() {
        sim.settings(Map.of("chunk_size", 131072, "chunk_size_field", "GRAINSIZE"));
        JsonNode v = sim.volume(HcsSim.GIB, Map.of());
        JsonNode lun = sim.doradoOk(s, "GET", "lun/" + v.get("lun_id").asText(), null);
        assertEquals("131072", lun.get("GRAINSIZE").asText());
        assertTrue(lun.path("CHUNKSIZE").isMissingNode());
        String vol = v.get("id").asText();
        String a = sim.snapshotLun(sim.snapshot(vol));
        writeChunk(vol, 3, 0, 1, 1); // byte 196608: chunk 1 of 128 KiB
        String b = sim.snapshotLun(sim.snapshot(vol));
        assertEquals(set(1L), Bitmaps.page(sim, s, b, a, HcsSim.GIB, 131072));
        assertRejected(Bitmaps.query(b, a, 65536, 0, 1 << 20), "chunk size 131072");
    }

    @Test
    void should_answer_quickly_for_a_big_sparse_lun() {
        long size = 64 * HcsSim.GIB;
        String vol = sim.volume(size, Map.of()).get("id").asText();
        sim.writeOp(vol, Map.of("offset", 0, "length", 4096, "pattern", Map.of("seed", 1),
                "repeat", Map.of("stride", 100 * CHUNK, "count", 10000)));
        String a = sim.snapshotLun(sim.snapshot(vol));
        sim.writeOp(vol, Map.of("offset", 50 * CHUNK, "length", 4096, "pattern", Map.of("seed", 2),
                "repeat", Map.of("stride", 100 * CHUNK, "count", 10000)));
        String b = sim.snapshotLun(sim.snapshot(vol));
        long t0 = System.nanoTime();
        TreeSet<Long> changed = Bitmaps.page(sim, s, b, a, size, CHUNK);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(10000, changed.size());
        assertEquals(50L, changed.first());
        assertEquals(50L + 100 * 9999, changed.last());
        assertEquals(10000, Bitmaps.page(sim, s, a, null, size, CHUNK).size());
        assertTrue(ms < 20_000, "256 segments took " + ms + " ms");
    }
}
