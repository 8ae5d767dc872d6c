package io.blockferry.transport;

import io.blockferry.events.Causes;
import io.blockferry.security.RecordKeys;
import io.blockferry.security.UnauthenticatedRecordException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.zip.CRC32C;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Binary framing of chunk records (big-endian). Every frame starts with a magic, a version and
 * the record type, and its header ends with a CRC32C of the header, so a foreign or damaged record
 * is recognised before anything is written. DATA payloads carry their own CRC32C and follow the
 * header unchanged: a frame is encoded by one copy of the payload and decoded without any (the
 * payload is a view of the frame).
 *
 * <p>Version 4 ends every frame with a trailer: a flags byte, and when the frame is signed its key
 * id and an HMAC-SHA256 over every byte before the MAC ({@link RecordKeys}); an encrypted DATA
 * payload (AES-256-GCM, the frame's header as associated data) also carries its nonce there. The
 * MAC is computed over the frame array and verified over the fetched view, with no copy. The
 * layout is the contract in {@code docs/contract/chunk-records.md}.
 */
public final class ChunkCodec {

    private static final int MAGIC = 0x4246434b; // "BFCK"
    /**
     * Version 2 added BEGIN's keepPoints; version 3 BEGIN's changedBytes; version 4 the trailer;
     * version 5 BEGIN's sourceSite.
     */
    static final byte VERSION = 5;
    /**
     * Writers still read versions 1 to 4, whose BEGIN lacks the later fields (read as 0 or empty)
     * and which before 4 have no trailer (unsigned), so a target can be upgraded before its sources.
     */
    private static final byte OLDEST_READABLE = 1;
    private static final byte BEGIN = 1;
    private static final byte DATA = 2;
    private static final byte ZERO = 3;
    private static final byte END = 4;
    private static final int DIGEST_LENGTH = 32;
    private static final int FIXED_HEADER = 4 + 1 + 1 + 8 + 8 + 2;
    private static final int CRC_LENGTH = 4;
    /** Offsets and sizes beyond 2^56 bytes (64 PiB) are not disks: a frame claiming one is garbled or forged. */
    public static final long MAX_DISK_BYTES = 1L << 56;
    /** Trailer flag: the frame is signed (key id and HMAC-SHA256 follow). */
    public static final int FLAG_SIGNED = 1;
    /** Trailer flag: the DATA payload is AES-256-GCM ciphertext and its tag (a 12-byte nonce follows the key id). */
    public static final int FLAG_ENCRYPTED = 2;
    public static final int NONCE_LENGTH = 12;
    public static final int TAG_LENGTH = 16;
    private static final SecureRandom NONCES = new SecureRandom();
    private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM has no AES/GCM", e);
        }
    });

    /**
     * A decoded and verified frame. When the DATA payload is encrypted, the record's payload is the
     * ciphertext and {@code sealed} says how to decrypt it ({@link #decryptInto}); otherwise sealed is null.
     */
    public record Opened(ChunkRecord record, Sealed sealed, String keyId) {
        /** The plaintext length of the DATA payload. */
        public int plainLength() {
            ChunkRecord.Data d = (ChunkRecord.Data) record;
            return sealed == null ? d.length() : d.length() - TAG_LENGTH;
        }
    }

    /** What an encrypted DATA payload needs to be decrypted: its key, nonce and associated data (the header). */
    public record Sealed(String keyId, byte[] nonce, ByteBuffer header, ByteBuffer ciphertext) {
    }

    private ChunkCodec() {
    }

    /** The length of the unsigned frame {@link #write(ChunkRecord, ByteBuffer)} produces for a record. */
    public static int frameLength(ChunkRecord record) {
        return frameLength(record, RecordKeys.NONE);
    }

    /** The length of the frame {@link #write(ChunkRecord, ByteBuffer, RecordKeys)} produces for a record. */
    public static int frameLength(ChunkRecord record, RecordKeys keys) {
        int trailer = 1;
        if (keys.signing()) {
            trailer += 1 + keys.signingId().length() + RecordKeys.MAC_LENGTH;
            if (keys.encrypt() && record instanceof ChunkRecord.Data) {
                trailer += NONCE_LENGTH + TAG_LENGTH;
            }
        }
        return bodyLength(record) + trailer;
    }

    private static int bodyLength(ChunkRecord record) {
        int length = FIXED_HEADER + utf8Length(record.volumeId()) + CRC_LENGTH;
        if (record instanceof ChunkRecord.Begin b) {
            return length + 1 + 8 + 4 + 8 + 4 + 8 + 2 * 5 + utf8Length(b.cause()) + utf8Length(b.snapshot())
                    + utf8Length(b.baseSnapshot()) + utf8Length(b.imageId()) + utf8Length(b.sourceSite());
        }
        if (record instanceof ChunkRecord.Data d) {
            return length + 8 + 4 + 4 + d.length();
        }
        if (record instanceof ChunkRecord.Zero) {
            return length + 8 + 8;
        }
        return length + 4 * 8 + DIGEST_LENGTH;
    }

    /** A new unsigned frame for a record: for tests and control records; the data path uses {@link #write}. */
    public static byte[] encode(ChunkRecord record) {
        return encode(record, RecordKeys.NONE);
    }

    /** A new frame for a record, signed (and its payload encrypted) as the keys say. */
    public static byte[] encode(ChunkRecord record, RecordKeys keys) {
        byte[] frame = new byte[frameLength(record, keys)];
        write(record, ByteBuffer.wrap(frame), keys);
        return frame;
    }

    /**
     * Writes a record's frame at {@code out}'s position ({@link #frameLength} bytes), copying a DATA
     * payload once. {@code out} must be backed by an array (frames go to Kafka as byte arrays).
     */
    public static void write(ChunkRecord record, ByteBuffer out) {
        write(record, out, RecordKeys.NONE);
    }

    /**
     * Writes a record's frame ({@link #frameLength(ChunkRecord, RecordKeys)} bytes) signed with the
     * signing key, when there is one, its DATA payload encrypted when the keys say so. The MAC is
     * computed incrementally over the array: nothing of payload size is allocated.
     */
    public static void write(ChunkRecord record, ByteBuffer out, RecordKeys keys) {
        int start = out.position();
        boolean encrypt = keys.encrypt() && record instanceof ChunkRecord.Data;
        out.putInt(MAGIC).put(VERSION).put(typeOf(record));
        out.putLong(record.generation()).putLong(record.seq());
        putString(out, record.volumeId());
        ByteBuffer payload = null;
        if (record instanceof ChunkRecord.Begin b) {
            out.put((byte) b.mode().ordinal()).putLong(b.imageSize()).putInt(b.chunkSize())
                    .putLong(b.createdAtMillis()).putInt(b.keepPoints()).putLong(b.changedBytes());
            putString(out, b.cause());
            putString(out, b.snapshot());
            putString(out, b.baseSnapshot());
            putString(out, b.imageId());
            putString(out, b.sourceSite());
        } else if (record instanceof ChunkRecord.Data d) {
            payload = d.payload();
            // encrypted: the region holds ciphertext and tag, and the plaintext's CRC32C is not shown
            out.putLong(d.offset()).putInt(encrypt ? 0 : d.crc32c()).putInt(encrypt ? d.length() + TAG_LENGTH
                    : d.length());
        } else if (record instanceof ChunkRecord.Zero z) {
            out.putLong(z.offset()).putLong(z.length());
        } else if (record instanceof ChunkRecord.End e) {
            out.putLong(e.dataChunks()).putLong(e.zeroChunks()).putLong(e.dataBytes()).putLong(e.zeroBytes());
            out.put(e.manifestDigest());
        }
        CRC32C crc = new CRC32C();
        crc.update(out.array(), out.arrayOffset() + start, out.position() - start);
        out.putInt((int) crc.getValue());
        byte[] nonce = null;
        if (encrypt) {
            nonce = new byte[NONCE_LENGTH];
            NONCES.nextBytes(nonce);
            encryptPayload(keys, nonce, out, start, payload);
        } else if (payload != null) {
            out.put(payload.duplicate());
        }
        if (!keys.signing()) {
            out.put((byte) 0);
            return;
        }
        out.put((byte) (FLAG_SIGNED | (encrypt ? FLAG_ENCRYPTED : 0)));
        byte[] id = keys.signingId().getBytes(StandardCharsets.US_ASCII);
        out.put((byte) id.length).put(id);
        if (nonce != null) {
            out.put(nonce);
        }
        Mac mac = keys.signingMac();
        mac.update(out.array(), out.arrayOffset() + start, out.position() - start);
        try {
            mac.doFinal(out.array(), out.arrayOffset() + out.position());
        } catch (ShortBufferException e) {
            throw new IllegalArgumentException("the frame has no room for its MAC", e);
        }
        out.position(out.position() + RecordKeys.MAC_LENGTH);
    }

    private static void encryptPayload(RecordKeys keys, byte[] nonce, ByteBuffer out, int start, ByteBuffer payload) {
        Cipher cipher = CIPHERS.get();
        try {
            cipher.init(Cipher.ENCRYPT_MODE, keys.encryptionKey(keys.signingId()),
                    new GCMParameterSpec(TAG_LENGTH * 8, nonce));
            cipher.updateAAD(out.array(), out.arrayOffset() + start, out.position() - start);
            cipher.doFinal(payload.duplicate(), out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encrypting a payload failed: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * Decrypts an encrypted DATA payload into {@code out} (at its position; the plaintext's length
     * is the ciphertext's less {@link #TAG_LENGTH}), checking its tag.
     *
     * @throws UnauthenticatedRecordException when the tag does not match
     */
    public static void decryptInto(Sealed sealed, RecordKeys keys, ByteBuffer out) {
        Cipher cipher = CIPHERS.get();
        try {
            cipher.init(Cipher.DECRYPT_MODE, keys.encryptionKey(sealed.keyId()),
                    new GCMParameterSpec(TAG_LENGTH * 8, sealed.nonce()));
            cipher.updateAAD(sealed.header().duplicate());
            cipher.doFinal(sealed.ciphertext().duplicate(), out);
        } catch (AEADBadTagException e) {
            throw new UnauthenticatedRecordException("an encrypted payload failed its AES-GCM tag check",
                    Causes.PAYLOAD_UNDECRYPTABLE);
        } catch (GeneralSecurityException e) {
            throw new UnauthenticatedRecordException("an encrypted payload could not be decrypted ("
                    + e.getClass().getSimpleName() + ")", Causes.PAYLOAD_UNDECRYPTABLE);
        }
    }

    /** Decodes an unsigned frame (or any frame when no keys are configured); tests and tools. */
    public static ChunkRecord decode(byte[] frame) {
        if (frame == null) {
            throw new MalformedRecordException("record without a value is not a Blockferry chunk record",
                    Causes.NOT_A_CHUNK_RECORD);
        }
        return decode(ByteBuffer.wrap(frame));
    }

    /**
     * Decodes the frame between {@code frame}'s position and limit, accepting it unsigned. A DATA
     * payload is a read-only view of the frame, valid as long as the frame's memory is.
     */
    public static ChunkRecord decode(ByteBuffer frame) {
        return decode(frame, RecordKeys.NONE);
    }

    /** Decodes and verifies a frame; an encrypted payload is decrypted onto the heap (tests and tools). */
    public static ChunkRecord decode(ByteBuffer frame, RecordKeys keys) {
        Opened opened = open(frame, keys);
        if (opened.sealed() == null) {
            return opened.record();
        }
        ChunkRecord.Data d = (ChunkRecord.Data) opened.record();
        ByteBuffer plain = ByteBuffer.allocate(opened.plainLength());
        decryptInto(opened.sealed(), keys, plain);
        plain.flip();
        return new ChunkRecord.Data(d.volumeId(), d.generation(), d.seq(), d.offset(), crc32c(plain),
                plain.asReadOnlyBuffer(), null);
    }

    /**
     * Decodes the frame between {@code frame}'s position and limit and verifies its signature:
     * a signed frame must carry a valid MAC of a key this process has; an unsigned one (versions 1
     * to 3, or a version 4 frame without a signature) is accepted only when {@link
     * RecordKeys#acceptUnsigned()}. Nothing is copied: payloads are views of the frame.
     *
     * @throws UnauthenticatedRecordException when the frame fails authentication
     * @throws MalformedRecordException when it is not a well-formed chunk record
     */
    public static Opened open(ByteBuffer frame, RecordKeys keys) {
        int length = frame == null ? 0 : frame.remaining();
        if (length < 9) {
            throw new MalformedRecordException("record of " + length + " bytes is too short to be a Blockferry "
                    + "chunk record", Causes.NOT_A_CHUNK_RECORD);
        }
        ByteBuffer in = frame.duplicate();
        int start = in.position();
        int headerEnd = -1;
        try {
            int magic = in.getInt();
            if (magic != MAGIC) {
                throw new MalformedRecordException(String.format(
                        "record does not start with the Blockferry magic (found 0x%08x): not a chunk record", magic),
                        Causes.NOT_A_CHUNK_RECORD);
            }
            byte version = in.get();
            if (version < OLDEST_READABLE || version > VERSION) {
                throw new MalformedRecordException("chunk record version " + version + " is not supported (this "
                        + "writer reads versions " + OLDEST_READABLE + " to " + VERSION + ")" + (version > VERSION
                        ? ": the source is newer; upgrade the writer to the source's version" : ""),
                        Causes.RECORD_VERSION_UNSUPPORTED);
            }
            byte type = in.get();
            long generation = in.getLong();
            long seq = in.getLong();
            String volume = getString(in);
            if (generation <= 0 || seq < 0) {
                throw new MalformedRecordException("chunk record with generation " + generation + " and sequence "
                        + seq + ": both must be positive");
            }
            ChunkRecord record = switch (type) {
                case BEGIN -> begin(in, version, volume, generation);
                case DATA -> {
                    long offset = in.getLong();
                    int crc = in.getInt();
                    int payloadLength = in.getInt();
                    verifyHeader(in, start);
                    headerEnd = in.position();
                    if (version < 4 ? in.remaining() != payloadLength : in.remaining() <= payloadLength
                            || payloadLength < 0) {
                        throw new MalformedRecordException("DATA record announces " + payloadLength
                                + " payload bytes but carries " + (version < 4 ? in.remaining() : "a frame of "
                                + length + " bytes"));
                    }
                    checkRange("DATA", offset, payloadLength);
                    ByteBuffer payload = in.slice().limit(payloadLength).asReadOnlyBuffer();
                    in.position(in.position() + payloadLength);
                    yield new ChunkRecord.Data(volume, generation, seq, offset, crc, payload, null);
                }
                case ZERO -> {
                    long offset = in.getLong();
                    long zeroLength = in.getLong();
                    checkRange("ZERO", offset, zeroLength);
                    yield new ChunkRecord.Zero(volume, generation, seq, offset, zeroLength);
                }
                case END -> {
                    long dataChunks = in.getLong();
                    long zeroChunks = in.getLong();
                    long dataBytes = in.getLong();
                    long zeroBytes = in.getLong();
                    byte[] digest = new byte[DIGEST_LENGTH];
                    in.get(digest);
                    yield new ChunkRecord.End(volume, generation, seq, dataChunks, zeroChunks, dataBytes, zeroBytes,
                            digest);
                }
                default -> throw new MalformedRecordException("unknown chunk record type " + type);
            };
            if (!(record instanceof ChunkRecord.Data)) {
                verifyHeader(in, start);
                headerEnd = in.position();
            }
            if (version < 4) {
                if (in.hasRemaining()) {
                    throw new MalformedRecordException(in.remaining() + " unexpected trailing bytes after a "
                            + record.getClass().getSimpleName() + " record");
                }
                if (!keys.acceptUnsigned()) {
                    throw unsigned(record, version);
                }
                return new Opened(record, null, null);
            }
            return trailer(in, start, headerEnd, record, keys);
        } catch (BufferUnderflowException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new MalformedRecordException("truncated or garbled chunk record (" + length + " bytes)");
        }
    }

    /** Reads and checks a version 4 trailer: unsigned, or the key id, the nonce of an encrypted payload, and the MAC. */
    private static Opened trailer(ByteBuffer in, int start, int headerEnd, ChunkRecord record, RecordKeys keys) {
        int flags = Byte.toUnsignedInt(in.get());
        if ((flags & ~(FLAG_SIGNED | FLAG_ENCRYPTED)) != 0) {
            throw new MalformedRecordException(String.format("chunk record trailer has unknown flags 0x%02x: a newer "
                    + "source; upgrade the writer", flags), Causes.RECORD_VERSION_UNSUPPORTED);
        }
        boolean signed = (flags & FLAG_SIGNED) != 0;
        boolean encrypted = (flags & FLAG_ENCRYPTED) != 0;
        if (encrypted && (!signed || !(record instanceof ChunkRecord.Data))) {
            throw new MalformedRecordException("chunk record trailer marks " + (signed ? "a record without payload"
                    : "an unsigned record") + " as encrypted");
        }
        if (!signed) {
            if (in.hasRemaining()) {
                throw new MalformedRecordException(in.remaining() + " unexpected bytes after an unsigned trailer");
            }
            if (!keys.acceptUnsigned()) {
                throw unsigned(record, VERSION);
            }
            return new Opened(record, null, null);
        }
        int idLength = Byte.toUnsignedInt(in.get());
        if (idLength == 0 || idLength > 64) {
            throw new MalformedRecordException("chunk record trailer has a key id of " + idLength + " bytes");
        }
        byte[] id = new byte[idLength];
        in.get(id);
        String keyId = new String(id, StandardCharsets.US_ASCII);
        byte[] nonce = null;
        if (encrypted) {
            nonce = new byte[NONCE_LENGTH];
            in.get(nonce);
        }
        int macAt = in.position();
        if (in.remaining() != RecordKeys.MAC_LENGTH) {
            throw new MalformedRecordException("chunk record trailer ends with " + in.remaining() + " bytes where "
                    + "its " + RecordKeys.MAC_LENGTH + "-byte MAC belongs");
        }
        Mac mac;
        try {
            mac = keys.mac(keyId, false);
        } catch (UnauthenticatedRecordException e) {
            throw new UnauthenticatedRecordException(describe(record) + ": " + e.getMessage(), Causes.UNKNOWN_KEY);
        }
        mac.update(in.duplicate().position(start).limit(macAt));
        byte[] computed = mac.doFinal();
        byte[] carried = new byte[RecordKeys.MAC_LENGTH];
        in.get(carried);
        if (!MessageDigest.isEqual(computed, carried)) {
            throw new UnauthenticatedRecordException(describe(record) + " carries a signature of key '" + keyId
                    + "' that does not match: forged, or changed after it was signed", Causes.SIGNATURE_INVALID);
        }
        if (!encrypted) {
            return new Opened(record, null, keyId);
        }
        ChunkRecord.Data d = (ChunkRecord.Data) record;
        if (d.length() < TAG_LENGTH) {
            throw new MalformedRecordException("an encrypted DATA payload of " + d.length() + " bytes has no room "
                    + "for its tag");
        }
        ByteBuffer header = in.duplicate().position(start).limit(headerEnd).slice().asReadOnlyBuffer();
        return new Opened(record, new Sealed(keyId, nonce, header, d.payload()), keyId);
    }

    private static UnauthenticatedRecordException unsigned(ChunkRecord record, int version) {
        return new UnauthenticatedRecordException(describe(record) + " is not signed (version " + version
                + " frame) and this process accepts only signed records (blockferry.security.accept-unsigned is "
                + "false)", Causes.RECORD_UNSIGNED);
    }

    private static String describe(ChunkRecord record) {
        String type = record instanceof ChunkRecord.Begin ? "BEGIN" : record instanceof ChunkRecord.Data ? "DATA"
                : record instanceof ChunkRecord.Zero ? "ZERO" : "END";
        return type + " record " + record.seq() + " of " + record.volumeId() + " generation " + record.generation();
    }

    private static ChunkRecord.Begin begin(ByteBuffer in, byte version, String volume, long generation) {
        int modeOrdinal = in.get();
        if (modeOrdinal < 0 || modeOrdinal >= SyncMode.values().length) {
            throw new MalformedRecordException("BEGIN with unknown mode " + modeOrdinal);
        }
        long size = in.getLong();
        int chunkSize = in.getInt();
        long createdAt = in.getLong();
        int keepPoints = version >= 2 ? in.getInt() : 0;
        long changedBytes = version >= 3 ? in.getLong() : 0;
        if (size < 0 || size > MAX_DISK_BYTES || chunkSize <= 0 || keepPoints < 0 || changedBytes < 0) {
            throw new MalformedRecordException("BEGIN of " + volume + " generation " + generation + " has an image "
                    + "size of " + size + " bytes, chunk size " + chunkSize + ", keepPoints " + keepPoints
                    + ", changedBytes " + changedBytes + ": out of range");
        }
        String cause = getString(in);
        String snapshot = getString(in);
        String base = getString(in);
        String imageId = getString(in);
        String sourceSite = version >= 5 ? getString(in) : "";
        if (snapshot.isEmpty()) {
            throw new MalformedRecordException("BEGIN of " + volume + " generation " + generation + " names no snapshot");
        }
        return new ChunkRecord.Begin(volume, generation, SyncMode.values()[modeOrdinal], cause, size, chunkSize,
                snapshot, base, imageId, createdAt, keepPoints, changedBytes, sourceSite);
    }

    /** Offsets and lengths are checked without overflow: a range must lie inside the largest possible disk. */
    private static void checkRange(String type, long offset, long length) {
        if (offset < 0 || length <= 0 || offset > MAX_DISK_BYTES || length > MAX_DISK_BYTES - offset) {
            throw new MalformedRecordException(type + " record covers offset " + offset + " and length " + length
                    + ": not a range of a disk");
        }
    }

    /** The CRC32C of a payload, as carried by DATA records and listed in manifests. */
    public static int crc32c(byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload, 0, payload.length);
        return (int) crc.getValue();
    }

    /** The CRC32C of the bytes between a buffer's position and limit (the buffer is not moved). */
    public static int crc32c(ByteBuffer payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload.duplicate());
        return (int) crc.getValue();
    }

    private static void verifyHeader(ByteBuffer in, int start) {
        int headerEnd = in.position();
        int expected = in.getInt();
        CRC32C crc = new CRC32C();
        crc.update(in.duplicate().position(start).limit(headerEnd));
        if ((int) crc.getValue() != expected) {
            throw new MalformedRecordException("chunk record header failed its CRC32C check: damaged in transit",
                    Causes.RECORD_DAMAGED);
        }
    }

    private static byte typeOf(ChunkRecord record) {
        if (record instanceof ChunkRecord.Begin) {
            return BEGIN;
        }
        if (record instanceof ChunkRecord.Data) {
            return DATA;
        }
        return record instanceof ChunkRecord.Zero ? ZERO : END;
    }

    private static int utf8Length(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static void putString(ByteBuffer out, String s) {
        byte[] bytes = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0xffff) {
            throw new IllegalArgumentException("a string of " + bytes.length + " bytes does not fit a chunk record");
        }
        out.putShort((short) bytes.length).put(bytes);
    }

    private static String getString(ByteBuffer in) {
        int length = Short.toUnsignedInt(in.getShort());
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
