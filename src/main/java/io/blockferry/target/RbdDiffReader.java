package io.blockferry.target;

import java.io.IOException;
import java.nio.file.Path;

/** Streams the records of an {@code rbd export-diff} v1 file, one data record in memory at a time. */
public final class RbdDiffReader implements AutoCloseable {

    /** Receives a diff's records in file order. */
    public interface Visitor {
        void size(long imageSize) throws IOException;

        void data(long offset, byte[] payload) throws IOException;

        void zero(long offset, long length) throws IOException;
    }

    private final RbdDiffCursor cursor;

    public RbdDiffReader(Path file) throws IOException {
        this.cursor = new RbdDiffCursor(file);
    }

    public void accept(Visitor visitor) throws IOException {
        visitor.size(cursor.imageSize());
        while (cursor.next()) {
            if (cursor.data()) {
                byte[] payload = new byte[(int) cursor.length()];
                cursor.read(payload, 0, payload.length);
                visitor.data(cursor.offset(), payload);
            } else {
                visitor.zero(cursor.offset(), cursor.length());
            }
        }
    }

    /** The to-snapshot name recorded in a diff file, or null. */
    public static String toSnapshot(Path file) throws IOException {
        try (RbdDiffCursor header = new RbdDiffCursor(file)) {
            return header.toSnapshot();
        }
    }

    /** The from-snapshot name recorded in a diff file, or null for a diff from nothing. */
    public static String fromSnapshot(Path file) throws IOException {
        try (RbdDiffCursor header = new RbdDiffCursor(file)) {
            return header.fromSnapshot();
        }
    }

    @Override
    public void close() throws IOException {
        cursor.close();
    }
}
