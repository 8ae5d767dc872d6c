package io.blockferry.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The consumer's decoder on frames built by hand from docs/contract/chunk-records.md (no Blockferry classes). */
class ChunkFrameTest {

    private static final byte[] KEY = new byte[32];

    /** A ZERO frame of volume v, generation 2, seq 1, offset 4096, length 8192; signed when keyId is not null. */
    private static byte[] zeroFrame(String keyId) throws Exception {
        byte[] volume = "v".getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(200);
        b.putInt(0x4246434B).put((byte) 4).put((byte) 3).putLong(2).putLong(1).putShort((short) volume.length)
                .put(volume).putLong(4096).putLong(8192);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        if (keyId == null) {
            b.put((byte) 0);
        } else {
            b.put((byte) 1).put((byte) keyId.length()).put(keyId.getBytes(StandardCharsets.US_ASCII));
            Mac derive = Mac.getInstance("HmacSHA256");
            derive.init(new SecretKeySpec(KEY, "HmacSHA256"));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(derive.doFinal("blockferry-record-mac-v1".getBytes(StandardCharsets.US_ASCII)),
                    "HmacSHA256"));
            mac.update(b.array(), 0, b.position());
            b.put(mac.doFinal());
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    @Test
    void should_decode_and_verify_a_frame_built_from_the_document() throws Exception {
        KeyRing keys = new KeyRing().add("k", KEY);
        ChunkFrame.Zero z = (ChunkFrame.Zero) ChunkFrame.decode(zeroFrame("k"), keys, false);
        assertEquals(8192, z.length());
        assertEquals(4096, z.offset());
        ChunkFrame.decode(zeroFrame(null), new KeyRing(), false);
        RecordRefusedException unsigned = assertThrows(RecordRefusedException.class,
                () -> ChunkFrame.decode(zeroFrame(null), keys, false));
        assertEquals("record-unsigned", unsigned.cause());
        byte[] forged = zeroFrame("k");
        forged[forged.length - 1] ^= 1;
        assertEquals("signature-invalid", assertThrows(RecordRefusedException.class,
                () -> ChunkFrame.decode(forged, keys, false)).cause());
        byte[] damaged = zeroFrame(null);
        damaged[30] ^= 1;
        assertEquals("record-damaged", assertThrows(RecordRefusedException.class,
                () -> ChunkFrame.decode(damaged, new KeyRing(), true)).cause());
    }
}
