package io.blockferry.transport;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Binary framing of chunk records (big-endian). Every frame starts with a magic, a version and
 * the record type, and its header ends with a CRC32C of the header, so a foreign or damaged record
 * is recognised before anything is written. DATA payloads carry their own CRC32C and follow the
 * header unchanged: a frame is encoded by one copy of the payload and decoded without any (the
 * payload is a view of the frame).
 */
public final class ChunkCodec {

    private static final int MAGIC = 0x4246434b; // "BFCK"
    /** Version 2 added BEGIN's keepPoints; version 3 BEGIN's changedBytes. */
    static final byte VERSION = 3;
    /**
     * Writers still read versions 1 and 2, whose BEGIN lacks the later fields (read as 0), so a
     * target can be upgraded before its sources; the other record types did not change.
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

    private ChunkCodec() {
    }

    /** The length of the frame {@link #write} produces for a record. */
    public static int frameLength(ChunkRecord record) {
        int length = FIXED_HEADER + utf8Length(record.volumeId()) + CRC_LENGTH;
        if (record instanceof ChunkRecord.Begin b) {
            return length + 1 + 8 + 4 + 8 + 4 + 8 + 2 * 4 + utf8Length(b.cause()) + utf8Length(b.snapshot())
                    + utf8Length(b.baseSnapshot()) + utf8Length(b.imageId());
        }
        if (record instanceof ChunkRecord.Data d) {
            return length + 8 + 4 + 4 + d.length();
        }
        if (record instanceof ChunkRecord.Zero) {
            return length + 8 + 8;
        }
        return length + 4 * 8 + DIGEST_LENGTH;
    }

    /** A new frame for a record: for tests and control records; the data path uses {@link #write}. */
    public static byte[] encode(ChunkRecord record) {
        byte[] frame = new byte[frameLength(record)];
        write(record, ByteBuffer.wrap(frame));
        return frame;
    }

    /**
     * Writes a record's frame at {@code out}'s position ({@link #frameLength} bytes), copying a DATA
     * payload once. {@code out} must be backed by an array (frames go to Kafka as byte arrays).
     */
    public static void write(ChunkRecord record, ByteBuffer out) {
        int start = out.position();
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
        } else if (record instanceof ChunkRecord.Data d) {
            payload = d.payload();
            out.putLong(d.offset()).putInt(d.crc32c()).putInt(d.length());
        } else if (record instanceof ChunkRecord.Zero z) {
            out.putLong(z.offset()).putLong(z.length());
        } else if (record instanceof ChunkRecord.End e) {
            out.putLong(e.dataChunks()).putLong(e.zeroChunks()).putLong(e.dataBytes()).putLong(e.zeroBytes());
            out.put(e.manifestDigest());
        }
        CRC32C crc = new CRC32C();
        crc.update(out.array(), out.arrayOffset() + start, out.position() - start);
        out.putInt((int) crc.getValue());
        if (payload != null) {
            out.put(payload.duplicate());
        }
    }

    public static ChunkRecord decode(byte[] frame) {
        if (frame == null) {
            throw new MalformedRecordException("record without a value is not a Blockferry chunk record");
        }
        return decode(ByteBuffer.wrap(frame));
    }

    /**
     * Decodes the frame between {@code frame}'s position and limit. A DATA payload is a read-only
     * view of the frame, valid as long as the frame's memory is.
     */
    public static ChunkRecord decode(ByteBuffer frame) {
        int length = frame == null ? 0 : frame.remaining();
        if (length < 9) {
            throw new MalformedRecordException("record of " + length + " bytes is too short to be a Blockferry "
                    + "chunk record");
        }
        ByteBuffer in = frame.duplicate();
        int start = in.position();
        try {
            int magic = in.getInt();
            if (magic != MAGIC) {
                throw new MalformedRecordException(String.format(
                        "record does not start with the Blockferry magic (found 0x%08x): not a chunk record", magic));
            }
            byte version = in.get();
            if (version < OLDEST_READABLE || version > VERSION) {
                throw new MalformedRecordException("chunk record version " + version + " is not supported (this "
                        + "writer reads versions " + OLDEST_READABLE + " to " + VERSION + ")" + (version > VERSION
                        ? ": the source is newer; upgrade the writer to the source's version" : ""));
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
                    if (in.remaining() != payloadLength) {
                        throw new MalformedRecordException("DATA record announces " + payloadLength
                                + " payload bytes but carries " + in.remaining());
                    }
                    checkRange("DATA", offset, payloadLength);
                    ByteBuffer payload = in.slice().asReadOnlyBuffer();
                    in.position(in.limit());
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
                if (in.hasRemaining()) {
                    throw new MalformedRecordException(in.remaining() + " unexpected trailing bytes after a "
                            + record.getClass().getSimpleName() + " record");
                }
            }
            return record;
        } catch (BufferUnderflowException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new MalformedRecordException("truncated or garbled chunk record (" + length + " bytes)");
        }
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
        if (snapshot.isEmpty()) {
            throw new MalformedRecordException("BEGIN of " + volume + " generation " + generation + " names no snapshot");
        }
        return new ChunkRecord.Begin(volume, generation, SyncMode.values()[modeOrdinal], cause, size, chunkSize,
                snapshot, base, imageId, createdAt, keepPoints, changedBytes);
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
            throw new MalformedRecordException("chunk record header failed its CRC32C check: damaged in transit");
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
