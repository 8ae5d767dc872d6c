package io.blockferry.hcssim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeSet;

/**
 * Decodes CHUNKBITMAP the way a client would under each setting, and pages a whole object
 * through lun_bitmap in segments, decoding each segment on its own (never concatenating text).
 */
final class Bitmaps {

    static final long SEGMENT = 256L << 20;

    private Bitmaps() {
    }

    static BitSet decode(String text, String encoding, String bitOrder, int nbits) {
        BitSet bits = new BitSet(nbits);
        if (encoding.equals("BITCHARS")) {
            assertEquals(nbits, text.length(), "one character per chunk");
            for (int i = 0; i < nbits; i++) {
                char c = text.charAt(i);
                assertTrue(c == '0' || c == '1', "BITCHARS holds only 0 and 1: " + c);
                bits.set(i, c == '1');
            }
            return bits;
        }
        byte[] raw = encoding.equals("HEX") ? HexFormat.of().parseHex(text) : Base64.getDecoder().decode(text);
        assertEquals((nbits + 7) / 8, raw.length, "bytes for " + nbits + " chunks");
        for (int i = 0; i < nbits; i++) {
            int b = raw[i >> 3] & 0xff;
            int bit = bitOrder.equals("MSB_FIRST") ? 7 - (i & 7) : i & 7;
            bits.set(i, ((b >> bit) & 1) == 1);
        }
        for (int i = nbits; i < raw.length * 8; i++) {
            int b = raw[i >> 3] & 0xff;
            int bit = bitOrder.equals("MSB_FIRST") ? 7 - (i & 7) : i & 7;
            assertEquals(0, (b >> bit) & 1, "padding bits past the last chunk are zero");
        }
        return bits;
    }

    /** The set chunk indexes over [0, size) of get_unshared (base != null) or get_alloc, 256 MiB a call. */
    static TreeSet<Long> page(HcsSim sim, HcsSim.Session s, String lunId, String baseId, long size, long chunk) {
        TreeSet<Long> set = new TreeSet<>();
        for (long off = 0; off < size; off += SEGMENT) {
            long len = Math.min(SEGMENT, size - off);
            JsonNode d = segment(sim, s, lunId, baseId, chunk, off, len);
            int nbits = (int) ((len + chunk - 1) / chunk);
            assertEquals(String.valueOf(nbits), d.get("SCANNEDCHUNKS").asText(), "SCANNEDCHUNKS of segment at " + off);
            BitSet bits = decode(d.get("CHUNKBITMAP").asText(), "BASE64", "MSB_FIRST", nbits);
            assertEquals(String.valueOf(bits.cardinality()), d.get("UNSHAREDCHUNKS").asText());
            for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
                set.add(off / chunk + i);
            }
        }
        return set;
    }

    static JsonNode segment(HcsSim sim, HcsSim.Session s, String lunId, String baseId, long chunk, long off, long len) {
        return sim.doradoOk(s, "GET", query(lunId, baseId, chunk, off, len), null);
    }

    static String query(String lunId, String baseId, long chunk, long off, long len) {
        String q = "LUNID=" + lunId + "&BITMAPCHUNKSIZE=" + chunk + "&SEGMENTLENGTHBYTES=" + len
                + "&SEGMENTSTARTOFFSETBYTES=" + off;
        return baseId == null ? "lun_bitmap/get_alloc?" + q : "lun_bitmap/get_unshared?BASELUNID=" + baseId + "&" + q;
    }

    static Map<String, Object> raw(long offset, int length, int seed) {
        return Map.of("offset", offset, "length", length, "pattern", Map.of("seed", seed));
    }
}
