package io.blockferry.target;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Pulls the records of an {@code rbd export-diff} v1 file one at a time. A data record's bytes are
 * read through the caller's buffer, so no record is ever held whole. Records must come in offset
 * order without overlap (the writer stages them so, and {@code rbd merge-diff} needs the same);
 * a file that breaks this is refused rather than guessed at.
 */
public final class RbdDiffCursor implements AutoCloseable {

    /** Longer than any RBD snapshot name: a bigger length means a damaged header, not a name to allocate. */
    private static final int MAX_NAME = 1 << 16;

    private final Path file;
    private final DataInputStream in;
    private String fromSnapshot;
    private String toSnapshot;
    private long imageSize = -1;
    private int pendingTag;
    private boolean data;
    private long offset;
    private long length;
    private long unread;
    private long previousEnd;

    public RbdDiffCursor(Path file) throws IOException {
        this.file = file;
        this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
        try {
            readHeader();
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private void readHeader() throws IOException {
        byte[] banner = in.readNBytes(RbdDiffWriter.HEADER.length);
        if (!Arrays.equals(banner, RbdDiffWriter.HEADER)) {
            throw new IOException(file + " is not an rbd diff v1 file");
        }
        while (true) {
            int tag = in.read();
            switch (tag) {
                case 'f' -> fromSnapshot = readName();
                case 't' -> toSnapshot = readName();
                case 's' -> imageSize = readLong64();
                default -> {
                    pendingTag = tag;
                    if (imageSize < 0) {
                        throw new IOException(file + " has no image size record before its data");
                    }
                    return;
                }
            }
        }
    }

    /** The snapshot the diff starts from, or null for a diff from nothing (a full one). */
    String fromSnapshot() {
        return fromSnapshot;
    }

    String toSnapshot() {
        return toSnapshot;
    }

    public long imageSize() {
        return imageSize;
    }

    /**
     * Moves to the next data or zero record, skipping what is unread of the current one.
     *
     * @return false at the end record
     */
    public boolean next() throws IOException {
        skip(unread);
        int tag = pendingTag != 0 ? pendingTag : in.read();
        pendingTag = 0;
        switch (tag) {
            case 'w', 'z' -> {
                data = tag == 'w';
                offset = readLong64();
                length = readLong64();
                unread = data ? length : 0;
                if (offset < previousEnd || length < 0) {
                    throw new IOException(file + ": the record at offset " + offset + " starts before the end of "
                            + "the previous one (" + previousEnd + "); its records are not in offset order");
                }
                previousEnd = offset + length;
                return true;
            }
            case 'e' -> {
                return false;
            }
            case -1 -> throw new EOFException(file + " ends without its end record: the diff is incomplete");
            default -> throw new IOException(file + " has an unknown record tag " + tag);
        }
    }

    /** Whether the current record carries data (else it is a range of zeros). */
    public boolean data() {
        return data;
    }

    public long offset() {
        return offset;
    }

    public long length() {
        return length;
    }

    /** Reads exactly {@code count} more bytes of the current data record. */
    public void read(byte[] buffer, int from, int count) throws IOException {
        if (count > unread) {
            throw new IllegalStateException("reading beyond the record at offset " + offset + " of " + file);
        }
        in.readFully(buffer, from, count);
        unread -= count;
    }

    /** Skips {@code count} bytes of the current data record (nothing for a zero record). */
    public void skip(long count) throws IOException {
        long bytes = Math.min(count, unread);
        in.skipNBytes(bytes);
        unread -= bytes;
    }

    private String readName() throws IOException {
        long length = Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
        if (length > MAX_NAME) {
            throw new IOException(file + " names a snapshot of " + length + " bytes: not an rbd diff header");
        }
        byte[] name = new byte[(int) length];
        in.readFully(name);
        return new String(name, StandardCharsets.UTF_8);
    }

    private long readLong64() throws IOException {
        return Long.reverseBytes(in.readLong());
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
