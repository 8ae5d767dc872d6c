package io.blockferry.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.config.ConfigurationException;
import io.blockferry.transport.ChunkCodec;
import io.blockferry.transport.ChunkRecord;
import io.blockferry.transport.MalformedRecordException;
import io.blockferry.transport.SyncMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signed and encrypted chunk frames and JSON signatures, without Kafka: the codec and the keys alone. */
class RecordSigningTest {

    private static final byte[] OLD = secret(1);
    private static final byte[] NEW = secret(2);
    private static final RecordKeys SIGN_OLD = RecordKeys.of(Map.of("old", OLD), "old", false, Map.of(), false);

    private static byte[] secret(int seed) {
        byte[] b = new byte[32];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static List<ChunkRecord> generation() {
        byte[] payload = "some changed bytes of a disk".getBytes(StandardCharsets.UTF_8);
        return List.of(new ChunkRecord.Begin("volumes/a", 7, SyncMode.FULL, "first-sync", 1 << 20, 1 << 20,
                        "blockferry-g000007", null, "abc", 42, 3, 4096),
                new ChunkRecord.Data("volumes/a", 7, 1, 0, ChunkCodec.crc32c(payload), payload),
                new ChunkRecord.Zero("volumes/a", 7, 2, 65536, 65536),
                new ChunkRecord.End("volumes/a", 7, 3, 1, 1, payload.length, 65536, new byte[32]));
    }

    @Test
    void should_sign_every_record_type_with_an_hmac_over_the_whole_frame() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(OLD, "HmacSHA256"));
        byte[] macKey = mac.doFinal("blockferry-record-mac-v1".getBytes(StandardCharsets.US_ASCII));
        for (ChunkRecord record : generation()) {
            byte[] frame = ChunkCodec.encode(record, SIGN_OLD);
            assertEquals(ChunkCodec.frameLength(record, SIGN_OLD), frame.length);
            ChunkRecord decoded = ChunkCodec.decode(ByteBuffer.wrap(frame), SIGN_OLD);
            assertEquals(record.seq(), decoded.seq());
            // the trailer as the contract says: flags 1, key id length and id, then the MAC of everything before it
            int macAt = frame.length - 32;
            assertEquals(1, frame[macAt - 1 - 3 - 1]);
            assertEquals(3, frame[macAt - 3 - 1]);
            assertEquals("old", new String(frame, macAt - 3, 3, StandardCharsets.US_ASCII));
            Mac check = Mac.getInstance("HmacSHA256");
            check.init(new SecretKeySpec(macKey, "HmacSHA256"));
            check.update(frame, 0, macAt);
            assertArrayEquals(check.doFinal(), Arrays.copyOfRange(frame, macAt, frame.length));
        }
    }

    @Test
    void should_refuse_a_changed_payload_an_unknown_key_and_unsigned_records() {
        byte[] frame = ChunkCodec.encode(generation().get(1), SIGN_OLD);
        frame[frame.length - 32 - 5 - 3] ^= 1; // a payload byte: the header CRC still holds, the MAC does not
        assertCause("signature-invalid", () -> ChunkCodec.decode(ByteBuffer.wrap(frame), SIGN_OLD));

        RecordKeys other = RecordKeys.of(Map.of("new", NEW), "new", false, Map.of(), false);
        byte[] signed = ChunkCodec.encode(generation().get(0), SIGN_OLD);
        assertCause("unknown-key", () -> ChunkCodec.decode(ByteBuffer.wrap(signed), other));
        assertCause("unknown-key", () -> ChunkCodec.decode(ByteBuffer.wrap(signed), RecordKeys.NONE));

        byte[] unsigned = ChunkCodec.encode(generation().get(0));
        assertCause("record-unsigned", () -> ChunkCodec.decode(ByteBuffer.wrap(unsigned), SIGN_OLD));
        byte[] version3 = io.blockferry.transport.ChunkCodecTestAccess.version3Begin(
                (ChunkRecord.Begin) generation().get(0));
        assertCause("record-unsigned", () -> ChunkCodec.decode(ByteBuffer.wrap(version3), SIGN_OLD));

        RecordKeys rollOut = RecordKeys.of(Map.of("old", OLD), "old", true, Map.of(), false);
        assertEquals(3, ((ChunkRecord.Begin) ChunkCodec.decode(ByteBuffer.wrap(unsigned), rollOut)).keepPoints());
        assertEquals(3, ((ChunkRecord.Begin) ChunkCodec.decode(ByteBuffer.wrap(version3), rollOut)).keepPoints());
        assertCause("signature-invalid", () -> ChunkCodec.decode(ByteBuffer.wrap(frame), rollOut));
    }

    @Test
    void should_verify_the_old_key_while_signing_with_the_new_one_during_a_rotation() {
        RecordKeys rotating = RecordKeys.of(Map.of("old", OLD, "new", NEW), "new", false, Map.of(), false);
        byte[] before = ChunkCodec.encode(generation().get(0), SIGN_OLD);
        byte[] after = ChunkCodec.encode(generation().get(0), rotating);
        assertEquals(7, ChunkCodec.decode(ByteBuffer.wrap(before), rotating).generation());
        assertEquals(7, ChunkCodec.decode(ByteBuffer.wrap(after), rotating).generation());
        assertEquals("new", ChunkCodec.open(ByteBuffer.wrap(after), rotating).keyId());
        assertCause("unknown-key", () -> ChunkCodec.decode(ByteBuffer.wrap(after), SIGN_OLD));
    }

    @Test
    void should_encrypt_a_data_payload_and_check_it_before_decrypting() {
        RecordKeys encrypting = RecordKeys.of(Map.of("old", OLD), "old", false, Map.of(), true);
        ChunkRecord.Data data = (ChunkRecord.Data) generation().get(1);
        byte[] frame = ChunkCodec.encode(data, encrypting);
        assertEquals(ChunkCodec.frameLength(data, SIGN_OLD) + 12 + 16, frame.length);
        String text = new String(frame, StandardCharsets.ISO_8859_1);
        assertFalse(text.contains("changed bytes"), "the payload is not readable on the topic");
        ChunkCodec.Opened opened = ChunkCodec.open(ByteBuffer.wrap(frame), encrypting);
        assertEquals(0, ((ChunkRecord.Data) opened.record()).crc32c(), "the plaintext's CRC32C is not shown");
        assertEquals(data.length(), opened.plainLength());
        ChunkRecord.Data decoded = (ChunkRecord.Data) ChunkCodec.decode(ByteBuffer.wrap(frame), encrypting);
        assertArrayEquals(data.payloadBytes(), decoded.payloadBytes());
        assertEquals(data.crc32c(), decoded.crc32c());
        assertNotEquals(ByteBuffer.wrap(frame), ByteBuffer.wrap(ChunkCodec.encode(data, encrypting)),
                "a fresh nonce for every frame");
        // a zero record has no payload: only signed
        assertEquals(ChunkCodec.frameLength(generation().get(2), SIGN_OLD),
                ChunkCodec.encode(generation().get(2), encrypting).length);
    }

    @Test
    void should_sign_json_bound_to_its_channel_and_key() {
        JsonRecordAuth auth = new JsonRecordAuth(SIGN_OLD);
        byte[] ack = "{\"volumeId\":\"volumes/a\",\"generation\":3,\"status\":\"COMMITTED\"}"
                .getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = auth.sign("acks", "volumes/a", ack);
        String id = headers.get(JsonRecordAuth.KEY_ID_HEADER);
        String sig = headers.get(JsonRecordAuth.SIGNATURE_HEADER);
        assertEquals("old", id);
        assertEquals(64, sig.length());
        assertEquals("old", auth.verify("acks", "volumes/a", ack, id, sig));
        assertCause("signature-invalid", () -> auth.verify("events", "volumes/a", ack, id, sig));
        assertCause("signature-invalid", () -> auth.verify("acks", "volumes/b", ack, id, sig));
        byte[] changed = Arrays.copyOf(ack, ack.length);
        changed[changed.length - 3] = 'X';
        assertCause("signature-invalid", () -> auth.verify("acks", "volumes/a", changed, id, sig));
        assertCause("record-unsigned", () -> auth.verify("acks", "volumes/a", ack, null, null));
        assertNull(new JsonRecordAuth(RecordKeys.NONE).verify("acks", "volumes/a", ack, null, null));
        assertTrue(new JsonRecordAuth(RecordKeys.NONE).sign("acks", "volumes/a", ack).isEmpty());
    }

    @Test
    void should_accept_a_request_key_on_the_requests_channel_only() {
        RecordKeys site = RecordKeys.of(Map.of("site", OLD), "site", false, Map.of("restore-team", NEW), false);
        RecordKeys team = RecordKeys.of(Map.of("restore-team", NEW), "restore-team", false, Map.of(), false);
        byte[] request = "{\"type\":\"full-generation\"}".getBytes(StandardCharsets.UTF_8);
        Map<String, String> signed = new JsonRecordAuth(team).sign("requests", "volumes/a", request);
        JsonRecordAuth source = new JsonRecordAuth(site);
        assertEquals("restore-team", source.verify("requests", "volumes/a", request,
                signed.get(JsonRecordAuth.KEY_ID_HEADER), signed.get(JsonRecordAuth.SIGNATURE_HEADER)));
        Map<String, String> forgedAck = new JsonRecordAuth(team).sign("acks", "volumes/a", request);
        assertCause("unknown-key", () -> source.verify("acks", "volumes/a", request,
                forgedAck.get(JsonRecordAuth.KEY_ID_HEADER), forgedAck.get(JsonRecordAuth.SIGNATURE_HEADER)));
        byte[] chunk = ChunkCodec.encode(generation().get(0), team);
        assertCause("unknown-key", () -> ChunkCodec.decode(ByteBuffer.wrap(chunk), site));
    }

    @Test
    void should_read_only_owner_only_key_files_and_never_show_the_key(@TempDir Path dir) throws Exception {
        String encoded = Base64.getEncoder().encodeToString(OLD);
        Path file = dir.resolve("site.key");
        Files.writeString(file, encoded + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        ConfigurationException open = assertThrows(ConfigurationException.class,
                () -> RecordKeys.readKeyFile("site", file));
        assertTrue(open.getMessage().contains("chmod 600"), open.getMessage());
        assertFalse(open.getMessage().contains(encoded));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertArrayEquals(OLD, RecordKeys.readKeyFile("site", file));

        Path shortKey = dir.resolve("short.key");
        Files.writeString(shortKey, Base64.getEncoder().encodeToString(new byte[16]));
        Files.setPosixFilePermissions(shortKey, PosixFilePermissions.fromString("rw-------"));
        ConfigurationException tooShort = assertThrows(ConfigurationException.class,
                () -> RecordKeys.readKeyFile("short", shortKey));
        assertTrue(tooShort.getMessage().contains("at least 32"), tooShort.getMessage());
        assertFalse(RecordKeys.of(Map.of("site", OLD), null, false, Map.of(), false).toString().contains(encoded));
    }

    private static void assertCause(String cause, org.junit.jupiter.api.function.Executable call) {
        MalformedRecordException e = assertThrows(MalformedRecordException.class, call);
        assertEquals(cause, e.failureCause().wire(), e.getMessage());
        assertFalse(e.getMessage().contains(Base64.getEncoder().encodeToString(OLD)));
    }
}
