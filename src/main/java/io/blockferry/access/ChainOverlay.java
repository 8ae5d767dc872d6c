package io.blockferry.access;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The extent map of one recovery point, built from the {@code rbd export-diff} v1 files of its
 * chain (the last full point first, then each incremental up to the point): for every range some
 * diff wrote, which file holds its bytes now and where, or that it reads as zeros. Ranges no diff
 * wrote are holes (zeros). Only the record headers are read, the data is skipped, so building the
 * map of a large disk takes the time of reading its chain's headers, not its data: this is what
 * lets an export serve any point at once without copying it ({@code point-overlay.py} reads the map).
 */
public final class ChainOverlay {

    private static final byte[] BANNER = "rbd diff v1\n".getBytes(StandardCharsets.US_ASCII);

    /** A range of the image: its bytes at {@code fileOffset} of diff {@code file}, or zeros when file is -1. */
    public record Segment(long start, long length, int file, long fileOffset) {
        long end() {
            return start + length;
        }

        Segment from(long newStart) {
            long cut = newStart - start;
            return new Segment(newStart, length - cut, file, file < 0 ? 0 : fileOffset + cut);
        }

        Segment until(long newEnd) {
            return new Segment(start, newEnd - start, file, fileOffset);
        }
    }

    private final TreeMap<Long, Segment> map = new TreeMap<>();
    private long size = -1;

    private ChainOverlay() {
    }

    /** The overlay of {@code chain}, oldest (a full point's diff) first. */
    public static ChainOverlay of(List<Path> chain) throws IOException {
        ChainOverlay overlay = new ChainOverlay();
        for (int i = 0; i < chain.size(); i++) {
            overlay.add(i, chain.get(i));
        }
        overlay.clip();
        return overlay;
    }

    public long size() {
        return size;
    }

    public List<Segment> segments() {
        return new ArrayList<>(map.values());
    }

    /** Bytes some diff holds data for (the rest reads as zeros). */
    public long dataBytes() {
        return map.values().stream().filter(s -> s.file() >= 0).mapToLong(Segment::length).sum();
    }

    /** Writes {@code size}, {@code files} and {@code map} into {@code dir} for point-overlay.py. */
    public void write(Path dir, List<Path> files) throws IOException {
        Files.writeString(dir.resolve("size"), Long.toString(size) + "\n");
        StringBuilder names = new StringBuilder();
        for (Path f : files) {
            names.append(f.toAbsolutePath()).append('\n');
        }
        Files.writeString(dir.resolve("files"), names);
        ByteBuffer buf = ByteBuffer.allocate(32 * 4096).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel out = FileChannel.open(dir.resolve("map"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            for (Segment s : map.values()) {
                if (!buf.hasRemaining()) {
                    flush(buf, out);
                }
                buf.putLong(s.start()).putLong(s.length()).putLong(s.file()).putLong(s.fileOffset());
            }
            flush(buf, out);
        }
    }

    private static void flush(ByteBuffer buf, FileChannel out) throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            out.write(buf);
        }
        buf.clear();
    }

    /**
     * Reads a diff's records by their headers: each header is read where it is, and a data
     * record's payload is stepped over by position, never read (a buffered stream would read
     * most of the payloads into its buffer).
     */
    private void add(int file, Path diff) throws IOException {
        try (FileChannel in = FileChannel.open(diff, StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(17).order(ByteOrder.LITTLE_ENDIAN);
            long position = read(in, diff, header, 0, BANNER.length);
            byte[] banner = new byte[BANNER.length];
            header.get(banner);
            if (!java.util.Arrays.equals(banner, BANNER)) {
                throw new IOException(diff + " is not an rbd diff v1 file");
            }
            while (true) {
                position = read(in, diff, header, position, 1);
                int tag = header.get();
                switch (tag) {
                    case 'f', 't' -> {
                        position = read(in, diff, header, position, 4);
                        position += Integer.toUnsignedLong(header.getInt());
                    }
                    case 's' -> {
                        position = read(in, diff, header, position, 8);
                        size = header.getLong();
                    }
                    case 'w', 'z' -> {
                        position = read(in, diff, header, position, 16);
                        long offset = header.getLong();
                        long length = header.getLong();
                        if (offset < 0 || length < 0) {
                            throw new IOException(diff + " has a record with a negative offset or length");
                        }
                        if (tag == 'w') {
                            if (position + length > in.size()) {
                                throw new EOFException(diff + " ends inside its data record at offset " + offset);
                            }
                            put(new Segment(offset, length, file, position));
                            position += length;
                        } else {
                            put(new Segment(offset, length, -1, 0));
                        }
                    }
                    case 'e' -> {
                        return;
                    }
                    default -> throw new IOException(diff + " has an unknown record tag " + tag);
                }
            }
        }
    }

    /** Reads {@code count} bytes at {@code position} into {@code buf}, ready to get; returns the position after them. */
    private static long read(FileChannel in, Path diff, ByteBuffer buf, long position, int count) throws IOException {
        buf.clear().limit(count);
        long at = position;
        while (buf.hasRemaining()) {
            int n = in.read(buf, at);
            if (n < 0) {
                throw new EOFException(diff + " ends without its end record");
            }
            at += n;
        }
        buf.flip();
        return at;
    }

    /** Lays {@code s} over what is there: the parts of older segments it covers go. */
    private void put(Segment s) {
        if (s.length() == 0) {
            return;
        }
        Map.Entry<Long, Segment> before = map.lowerEntry(s.start());
        if (before != null && before.getValue().end() > s.start()) {
            Segment old = before.getValue();
            map.put(old.start(), old.until(s.start()));
            if (old.end() > s.end()) {
                map.put(s.end(), old.from(s.end()));
            }
        }
        for (Segment old : new ArrayList<>(map.subMap(s.start(), true, s.end(), false).values())) {
            map.remove(old.start());
            if (old.end() > s.end()) {
                map.put(s.end(), old.from(s.end()));
            }
        }
        map.put(s.start(), s);
    }

    /** Drops what lies beyond the point's size (the last size record wins). */
    private void clip() {
        if (size < 0) {
            throw new IllegalStateException("the chain has no size record");
        }
        for (Segment s : new ArrayList<>(map.tailMap(0L).values())) {
            if (s.start() >= size) {
                map.remove(s.start());
            } else if (s.end() > size) {
                map.put(s.start(), s.until(size));
            }
        }
    }
}
