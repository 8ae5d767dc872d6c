package io.blockferry.target;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Streams the records of an {@code rbd export-diff} v1 file, one data record in memory at a time. */
public final class RbdDiffReader implements AutoCloseable {

    /** Receives a diff's records in file order. */
    public interface Visitor {
        void size(long imageSize) throws IOException;

        void data(long offset, byte[] payload) throws IOException;

        void zero(long offset, long length) throws IOException;
    }

    private final DataInputStream in;
    private final Path file;

    public RbdDiffReader(Path file) throws IOException {
        this.file = file;
        this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    }

    public void accept(Visitor visitor) throws IOException {
        byte[] header = in.readNBytes(RbdDiffWriter.HEADER.length);
        if (!Arrays.equals(header, RbdDiffWriter.HEADER)) {
            throw new IOException(file + " is not an rbd diff v1 file");
        }
        while (true) {
            int tag = in.read();
            switch (tag) {
                case 'f', 't' -> in.skipNBytes(readLong32());
                case 's' -> visitor.size(readLong64());
                case 'w' -> {
                    long offset = readLong64();
                    long length = readLong64();
                    visitor.data(offset, in.readNBytes((int) length));
                }
                case 'z' -> visitor.zero(readLong64(), readLong64());
                case 'e' -> {
                    return;
                }
                case -1 -> throw new EOFException(file + " ends without its end record: the diff is incomplete");
                default -> throw new IOException(file + " has an unknown record tag " + tag);
            }
        }
    }

    private long readLong32() throws IOException {
        return Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
    }

    private long readLong64() throws IOException {
        return Long.reverseBytes(in.readLong());
    }

    /** The to-snapshot name recorded in a diff file, or null. */
    public static String toSnapshot(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            in.skipNBytes(RbdDiffWriter.HEADER.length);
            while (true) {
                int tag = in.read();
                if (tag != 'f' && tag != 't') {
                    return null;
                }
                byte[] name = new byte[Integer.reverseBytes(in.readInt())];
                in.readFully(name);
                if (tag == 't') {
                    return new String(name, StandardCharsets.UTF_8);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
