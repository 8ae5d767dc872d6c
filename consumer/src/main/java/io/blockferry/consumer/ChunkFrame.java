package io.blockferry.consumer;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.zip.CRC32C;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One chunk frame, decoded and verified as docs/contract/chunk-records.md says (versions 1 to 5):
 * the magic and version, the header CRC32C, the trailer's HMAC-SHA256 (required when the key ring
 * has keys, unless unsigned frames are accepted), an encrypted payload's AES-GCM tag, and a DATA
 * payload's CRC32C. Written from the document alone.
 */
public sealed interface ChunkFrame {

    int MAGIC = 0x4246434B;
    int NEWEST_VERSION = 5;

    String volumeId();

    long generation();

    long seq();

    /**
     * BEGIN: opens a generation. Mode 0 is FULL, 1 INCREMENTAL; an empty baseSnapshot is none; an
     * empty sourceSite is a source older than version 5.
     */
    record Begin(String volumeId, long generation, long seq, boolean full, long imageSize, int chunkSize,
                 long createdAtMillis, int keepPoints, long changedBytes, String cause, String snapshot,
                 String baseSnapshot, String imageId, String sourceSite) implements ChunkFrame {
    }

    /** DATA: bytes at an offset; {@code payload} is the plaintext (a view of the frame, or a decrypted copy). */
    record Data(String volumeId, long generation, long seq, long offset, int crc32c, ByteBuffer payload)
            implements ChunkFrame {
    }

    /** ZERO: a range that now reads as zeros. */
    record Zero(String volumeId, long generation, long seq, long offset, long length) implements ChunkFrame {
    }

    /** END: what the generation must have held. */
    record End(String volumeId, long generation, long seq, long dataChunks, long zeroChunks, long dataBytes,
               long zeroBytes, byte[] manifestDigest) implements ChunkFrame {
    }

    /**
     * Decodes and verifies a frame.
     *
     * @param acceptUnsigned whether a frame without a signature passes (always with an empty ring)
     * @throws RecordRefusedException when it is not a valid, authentic chunk frame
     */
    static ChunkFrame decode(byte[] frame, KeyRing keys, boolean acceptUnsigned) {
        try {
            return Decoder.decode(frame, keys, acceptUnsigned || keys.isEmpty());
        } catch (BufferUnderflowException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new RecordRefusedException("record-malformed", "truncated or garbled chunk frame");
        }
    }

    /** The decoder itself. */
    final class Decoder {
        private Decoder() {
        }

        static ChunkFrame decode(byte[] frame, KeyRing keys, boolean acceptUnsigned) {
            ByteBuffer in = ByteBuffer.wrap(frame);
            if (frame.length < 9 || in.getInt() != MAGIC) {
                throw new RecordRefusedException("not-a-chunk-record", "not a Blockferry chunk frame");
            }
            int version = Byte.toUnsignedInt(in.get());
            if (version < 1 || version > NEWEST_VERSION) {
                throw new RecordRefusedException("record-version-unsupported", "chunk frame version " + version
                        + ": this consumer reads 1 to " + NEWEST_VERSION);
            }
            int type = in.get();
            long generation = in.getLong();
            long seq = in.getLong();
            String volume = string(in);
            int payloadAt = -1;
            int payloadLength = 0;
            int crc = 0;
            long offset = 0;
            ChunkFrame body;
            switch (type) {
                case 1 -> {
                    boolean full = in.get() == 0;
                    long size = in.getLong();
                    int chunkSize = in.getInt();
                    long createdAt = in.getLong();
                    int keepPoints = version >= 2 ? in.getInt() : 0;
                    long changed = version >= 3 ? in.getLong() : 0;
                    body = new Begin(volume, generation, seq, full, size, chunkSize, createdAt, keepPoints, changed,
                            string(in), string(in), string(in), string(in), version >= 5 ? string(in) : "");
                    headerCrc(in);
                }
                case 2 -> {
                    offset = in.getLong();
                    crc = in.getInt();
                    payloadLength = in.getInt();
                    headerCrc(in);
                    payloadAt = in.position();
                    if (payloadLength <= 0 || (version < 4 ? in.remaining() != payloadLength
                            : in.remaining() <= payloadLength)) {
                        throw new RecordRefusedException("record-malformed", "DATA payload length " + payloadLength
                                + " does not fit the frame");
                    }
                    in.position(payloadAt + payloadLength);
                    body = null;
                }
                case 3 -> {
                    body = new Zero(volume, generation, seq, in.getLong(), in.getLong());
                    headerCrc(in);
                }
                case 4 -> {
                    long dataChunks = in.getLong();
                    long zeroChunks = in.getLong();
                    long dataBytes = in.getLong();
                    long zeroBytes = in.getLong();
                    byte[] digest = new byte[32];
                    in.get(digest);
                    body = new End(volume, generation, seq, dataChunks, zeroChunks, dataBytes, zeroBytes, digest);
                    headerCrc(in);
                }
                default -> throw new RecordRefusedException("record-malformed", "unknown chunk frame type " + type);
            }
            int headerEnd = type == 2 ? payloadAt : in.position();
            int flags = 0;
            String keyId = null;
            byte[] nonce = null;
            if (version >= 4) {
                flags = Byte.toUnsignedInt(in.get());
                if ((flags & ~3) != 0 || (flags & 2) != 0 && ((flags & 1) == 0 || type != 2)) {
                    throw new RecordRefusedException("record-version-unsupported", "trailer flags " + flags);
                }
                if ((flags & 1) != 0) {
                    byte[] id = new byte[Byte.toUnsignedInt(in.get())];
                    in.get(id);
                    keyId = new String(id, StandardCharsets.US_ASCII);
                    if ((flags & 2) != 0) {
                        nonce = new byte[12];
                        in.get(nonce);
                    }
                    int macAt = in.position();
                    byte[] carried = new byte[32];
                    in.get(carried);
                    Mac mac = keys.mac(keyId);
                    mac.update(frame, 0, macAt);
                    if (!MessageDigest.isEqual(mac.doFinal(), carried)) {
                        throw new RecordRefusedException("signature-invalid", "a chunk frame of " + volume
                                + " generation " + generation + " fails its signature");
                    }
                }
            }
            if (in.hasRemaining()) {
                throw new RecordRefusedException("record-malformed", in.remaining() + " bytes after the frame's end");
            }
            if ((flags & 1) == 0 && !acceptUnsigned) {
                throw new RecordRefusedException("record-unsigned", "an unsigned chunk frame of " + volume);
            }
            if (type != 2) {
                return body;
            }
            ByteBuffer payload = ByteBuffer.wrap(frame, payloadAt, payloadLength).slice();
            if ((flags & 2) != 0) {
                payload = decrypt(keys.payloadKey(keyId), nonce, frame, headerEnd, payload);
                crc = crc32c(payload);
            } else if (crc32c(payload) != crc) {
                throw new RecordRefusedException("chunk-corrupt", "DATA " + seq + " of " + volume + " generation "
                        + generation + " fails its CRC32C");
            }
            return new Data(volume, generation, seq, offset, crc, payload.asReadOnlyBuffer());
        }

        private static ByteBuffer decrypt(byte[] key, byte[] nonce, byte[] frame, int headerEnd, ByteBuffer sealed) {
            try {
                Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
                cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
                cipher.updateAAD(frame, 0, headerEnd);
                ByteBuffer plain = ByteBuffer.allocate(sealed.remaining() - 16);
                cipher.doFinal(sealed.duplicate(), plain);
                return plain.flip();
            } catch (AEADBadTagException e) {
                throw new RecordRefusedException("payload-undecryptable", "an encrypted payload fails its tag");
            } catch (GeneralSecurityException e) {
                throw new RecordRefusedException("payload-undecryptable", e.getClass().getSimpleName());
            }
        }

        private static void headerCrc(ByteBuffer in) {
            int end = in.position();
            int carried = in.getInt();
            CRC32C crc = new CRC32C();
            crc.update(in.array(), 0, end);
            if ((int) crc.getValue() != carried) {
                throw new RecordRefusedException("record-damaged", "a chunk frame's header fails its CRC32C");
            }
        }

        private static String string(ByteBuffer in) {
            byte[] b = new byte[Short.toUnsignedInt(in.getShort())];
            in.get(b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    static int crc32c(ByteBuffer bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes.duplicate());
        return (int) crc.getValue();
    }
}
