package io.blockferry.target;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends a diff in Ceph's {@code rbd export-diff} format (v1: "rbd diff v1\n", then from-snap,
 * to-snap and size records, then 'w' data and 'z' zero records, then 'e'), so a recovery point can
 * be restored with stock {@code rbd import-diff} and no Blockferry at all. Records are written in
 * the order given: the chunk writer gives them in offset order (it refuses a generation whose
 * records go back), and so does {@link DiffMerge}, because merging needs sorted diffs.
 */
public final class RbdDiffWriter implements AutoCloseable {

    static final byte[] HEADER = "rbd diff v1\n".getBytes(StandardCharsets.US_ASCII);

    private final FileChannel channel;
    private final ByteBuffer small = ByteBuffer.allocate(1 + 8 + 8 + 4 + 512).order(ByteOrder.LITTLE_ENDIAN);

    private RbdDiffWriter(FileChannel channel) {
        this.channel = channel;
    }

    /** Starts a new diff file, replacing any earlier one at {@code file}. */
    public static RbdDiffWriter create(Path file, String fromSnapshot, String toSnapshot, long imageSize) {
        RbdDiffWriter writer = open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        writer.writeHeader(fromSnapshot, toSnapshot, imageSize);
        return writer;
    }

    /** Reopens a staged diff file to append after {@code length} bytes, dropping anything beyond. */
    public static RbdDiffWriter resume(Path file, long length) {
        RbdDiffWriter writer = open(file, StandardOpenOption.WRITE);
        try {
            writer.channel.truncate(length);
            writer.channel.position(length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resume staged diff " + file, e);
        }
        return writer;
    }

    private static RbdDiffWriter open(Path file, StandardOpenOption... options) {
        try {
            return new RbdDiffWriter(io.blockferry.store.OwnerOnly.open(file, options));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open diff file " + file, e);
        }
    }

    private void writeHeader(String fromSnapshot, String toSnapshot, long imageSize) {
        small.clear();
        small.put(HEADER);
        if (fromSnapshot != null && !fromSnapshot.isEmpty()) {
            putName('f', fromSnapshot);
        }
        putName('t', toSnapshot);
        small.put((byte) 's').putLong(imageSize);
        flushSmall();
    }

    public void data(long offset, byte[] payload) {
        beginData(offset, payload.length);
        dataBytes(payload, 0, payload.length);
    }

    /** A data record from a buffer (its position to its limit; the buffer is not moved), copied once. */
    public void data(long offset, ByteBuffer payload) {
        beginData(offset, payload.remaining());
        write(payload.duplicate());
    }

    /** Starts a data record; exactly {@code length} bytes must follow through {@link #dataBytes}. */
    public void beginData(long offset, long length) {
        small.clear();
        small.put((byte) 'w').putLong(offset).putLong(length);
        flushSmall();
    }

    /** Appends bytes of the data record begun last, so a record can be copied through a small buffer. */
    public void dataBytes(byte[] buffer, int from, int count) {
        write(ByteBuffer.wrap(buffer, from, count));
    }

    public void zero(long offset, long length) {
        small.clear();
        small.put((byte) 'z').putLong(offset).putLong(length);
        flushSmall();
    }

    public void end() {
        small.clear();
        small.put((byte) 'e');
        flushSmall();
    }

    public long length() {
        try {
            return channel.position();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes everything written so far durable. */
    public void force() {
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("fsync of a staged diff failed", e);
        }
    }

    private void putName(char tag, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        small.put((byte) tag).putInt(bytes.length).put(bytes);
    }

    private void flushSmall() {
        small.flip();
        write(small);
    }

    private void write(ByteBuffer buffer) {
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing a staged diff failed", e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
