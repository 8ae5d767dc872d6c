package io.blockferry.source.hcs;

import io.blockferry.events.Causes;
import java.util.Base64;
import java.util.BitSet;
import java.util.HexFormat;

/**
 * Decodes one lun_bitmap segment's {@code CHUNKBITMAP} (spec §2.7). The encoding and the bit order
 * are not public [I]: both are settings. Each segment is decoded on its own (base64 strings of
 * consecutive segments cannot be joined), and a bitmap shorter than the segment's chunk count is
 * an error, never read as "unchanged".
 */
final class ChunkBitmap {

    private ChunkBitmap() {
    }

    /** The set chunks among the first {@code chunks} of the segment. */
    static BitSet decode(String text, int chunks, HcsSettings.BitmapEncoding encoding, boolean msbFirst, String what) {
        BitSet set = new BitSet(chunks);
        if (encoding == HcsSettings.BitmapEncoding.BITCHARS) {
            requireLength(text.length(), chunks, encoding, what);
            for (int i = 0; i < chunks; i++) {
                char c = text.charAt(i);
                if (c == '1') {
                    set.set(i);
                } else if (c != '0') {
                    throw wrong(what, encoding, "character '" + c + "' at " + i);
                }
            }
            return set;
        }
        byte[] bytes;
        try {
            bytes = encoding == HcsSettings.BitmapEncoding.BASE64 ? Base64.getDecoder().decode(text)
                    : HexFormat.of().parseHex(text);
        } catch (IllegalArgumentException e) {
            throw wrong(what, encoding, e.getMessage());
        }
        requireLength((long) bytes.length * 8, chunks, encoding, what);
        for (int i = 0; i < chunks; i++) {
            int bit = msbFirst ? 7 - (i & 7) : i & 7;
            if ((bytes[i >>> 3] >> bit & 1) != 0) {
                set.set(i);
            }
        }
        return set;
    }

    private static void requireLength(long bits, int chunks, HcsSettings.BitmapEncoding encoding, String what) {
        if (bits < chunks) {
            throw wrong(what, encoding, bits + " bits for " + chunks + " chunks");
        }
    }

    private static HcsException wrong(String what, HcsSettings.BitmapEncoding encoding, String detail) {
        return new HcsException(what + ": the CHUNKBITMAP does not decode as " + encoding + " (" + detail + "): set "
                + "blockferry.backends.<name>.bitmap-encoding to what the array sends (README, HCS and Dorado)",
                Causes.HCS_ERROR);
    }
}
