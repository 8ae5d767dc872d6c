package io.blockferry.transport;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Binary framing of chunk records. Every frame starts with a magic, a version and the record
 * type, and its header ends with a CRC32C of the header, so a foreign or damaged record is
 * recognised before anything is written. DATA payloads carry their own CRC32C.
 */
public final class ChunkCodec {

    private static final int MAGIC = 0x4246434b; // "BFCK"
    /** Version 2 added BEGIN's keepPoints. */
    private static final byte VERSION = 2;
    /**
     * Writers still read version 1, whose BEGIN lacks keepPoints (read as 0: the target's default),
     * so a target can be upgraded before its sources; the other record types did not change.
     */
    private static final byte OLDEST_READABLE = 1;
    private static final byte BEGIN = 1;
    private static final byte DATA = 2;
    private static final byte ZERO = 3;
    private static final byte END = 4;
    private static final int DIGEST_LENGTH = 32;

    private ChunkCodec() {
    }

    public static byte[] encode(ChunkRecord record) {
        byte[] volume = utf8(record.volumeId());
        ByteBuffer header = ByteBuffer.allocate(256 + volume.length + variableLength(record));
        header.putInt(MAGIC).put(VERSION).put(typeOf(record));
        header.putLong(record.generation()).putLong(record.seq());
        putBytes(header, volume);
        int payloadLength = 0;
        byte[] payload = null;
        if (record instanceof ChunkRecord.Begin b) {
            header.put((byte) b.mode().ordinal()).putLong(b.imageSize()).putInt(b.chunkSize())
                    .putLong(b.createdAtMillis()).putInt(b.keepPoints());
            putString(header, b.cause());
            putString(header, b.snapshot());
            putString(header, b.baseSnapshot());
            putString(header, b.imageId());
        } else if (record instanceof ChunkRecord.Data d) {
            payload = d.payload();
            payloadLength = payload.length;
            header.putLong(d.offset()).putInt(d.crc32c()).putInt(payloadLength);
        } else if (record instanceof ChunkRecord.Zero z) {
            header.putLong(z.offset()).putLong(z.length());
        } else if (record instanceof ChunkRecord.End e) {
            header.putLong(e.dataChunks()).putLong(e.zeroChunks()).putLong(e.dataBytes()).putLong(e.zeroBytes());
            header.put(e.manifestDigest());
        }
        CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, header.position());
        header.putInt((int) crc.getValue());
        byte[] frame = new byte[header.position() + payloadLength];
        System.arraycopy(header.array(), 0, frame, 0, header.position());
        if (payload != null) {
            System.arraycopy(payload, 0, frame, header.position(), payloadLength);
        }
        return frame;
    }

    public static ChunkRecord decode(byte[] frame) {
        if (frame == null || frame.length < 9) {
            throw new MalformedRecordException("record of " + (frame == null ? 0 : frame.length)
                    + " bytes is too short to be a Blockferry chunk record");
        }
        ByteBuffer in = ByteBuffer.wrap(frame);
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
            ChunkRecord record = switch (type) {
                case BEGIN -> {
                    SyncMode mode = SyncMode.values()[in.get()];
                    long size = in.getLong();
                    int chunkSize = in.getInt();
                    long createdAt = in.getLong();
                    int keepPoints = version >= 2 ? in.getInt() : 0;
                    yield new ChunkRecord.Begin(volume, generation, mode, getString(in), size, chunkSize,
                            getString(in), getString(in), getString(in), createdAt, keepPoints);
                }
                case DATA -> {
                    long offset = in.getLong();
                    int crc = in.getInt();
                    int length = in.getInt();
                    verifyHeader(frame, in);
                    if (in.remaining() != length) {
                        throw new MalformedRecordException("DATA record announces " + length
                                + " payload bytes but carries " + in.remaining());
                    }
                    byte[] payload = new byte[length];
                    in.get(payload);
                    yield new ChunkRecord.Data(volume, generation, seq, offset, crc, payload);
                }
                case ZERO -> new ChunkRecord.Zero(volume, generation, seq, in.getLong(), in.getLong());
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
                verifyHeader(frame, in);
                if (in.hasRemaining()) {
                    throw new MalformedRecordException(in.remaining() + " unexpected trailing bytes after a "
                            + record.getClass().getSimpleName() + " record");
                }
            }
            return record;
        } catch (BufferUnderflowException | IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            throw new MalformedRecordException("truncated or garbled chunk record (" + frame.length + " bytes)");
        }
    }

    /** The CRC32C of a payload, as carried by DATA records and listed in manifests. */
    public static int crc32c(byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload, 0, payload.length);
        return (int) crc.getValue();
    }

    private static void verifyHeader(byte[] frame, ByteBuffer in) {
        int headerLength = in.position();
        int expected = in.getInt();
        CRC32C crc = new CRC32C();
        crc.update(frame, 0, headerLength);
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

    private static int variableLength(ChunkRecord record) {
        if (record instanceof ChunkRecord.Begin b) {
            return utf8(b.cause()).length + utf8(b.snapshot()).length + utf8(b.baseSnapshot()).length
                    + utf8(b.imageId()).length;
        }
        return 0;
    }

    private static byte[] utf8(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }

    private static void putString(ByteBuffer out, String s) {
        putBytes(out, utf8(s));
    }

    private static void putBytes(ByteBuffer out, byte[] bytes) {
        out.putShort((short) bytes.length).put(bytes);
    }

    private static String getString(ByteBuffer in) {
        int length = Short.toUnsignedInt(in.getShort());
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
