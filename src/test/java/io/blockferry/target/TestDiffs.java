package io.blockferry.target;

import io.blockferry.transport.ChunkCodec;
import io.blockferry.transport.ManifestEntry;
import io.blockferry.transport.ManifestFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Diff files for tests, and the reference of what applying a diff does to an image. */
final class TestDiffs {

    /** One record of a diff written by a test: data (random bytes) or zeros. */
    record Rec(boolean data, long offset, long length) {
    }

    private TestDiffs() {
    }

    static Rec w(long offset, long length) {
        return new Rec(true, offset, length);
    }

    static Rec z(long offset, long length) {
        return new Rec(false, offset, length);
    }

    /** Writes a diff whose data records hold bytes from {@code random}. */
    static Path write(Path file, String from, String to, long size, Random random, Rec... records) {
        try (RbdDiffWriter writer = RbdDiffWriter.create(file, from, to, size)) {
            for (Rec r : records) {
                if (r.data()) {
                    byte[] payload = new byte[(int) r.length()];
                    random.nextBytes(payload);
                    writer.data(r.offset(), payload);
                } else {
                    writer.zero(r.offset(), r.length());
                }
            }
            writer.end();
        }
        return file;
    }

    static List<Rec> records(Path diff) throws IOException {
        List<Rec> records = new ArrayList<>();
        try (RbdDiffCursor cursor = new RbdDiffCursor(diff)) {
            while (cursor.next()) {
                records.add(new Rec(cursor.data(), cursor.offset(), cursor.length()));
            }
        }
        return records;
    }

    /** The manifest entries that describe a diff's records: data with their CRC32C, and zeros. */
    static List<ManifestEntry> manifestEntries(Path diff) throws IOException {
        List<ManifestEntry> entries = new ArrayList<>();
        try (RbdDiffReader reader = new RbdDiffReader(diff)) {
            reader.accept(new RbdDiffReader.Visitor() {
                @Override
                public void size(long imageSize) {
                }

                @Override
                public void data(long offset, byte[] payload) {
                    entries.add(new ManifestEntry(false, offset, payload.length, ChunkCodec.crc32c(payload)));
                }

                @Override
                public void zero(long offset, long length) {
                    entries.add(new ManifestEntry(true, offset, length, 0));
                }
            });
        }
        return entries;
    }

    /** The entries of a manifest file. */
    static List<ManifestEntry> readManifest(Path manifest) throws IOException {
        List<ManifestEntry> entries = new ArrayList<>();
        ManifestFile.read(manifest, Files.size(manifest), entries::add);
        return entries;
    }

    /** The image a chain of diffs gives, applied one after the other to an empty image. */
    static byte[] state(Path... chain) throws IOException {
        byte[] image = new byte[0];
        for (Path diff : chain) {
            image = apply(image, diff);
        }
        return image;
    }

    /** The reference: what importing a diff does to an image (resize, then write data and zeros). */
    static byte[] apply(byte[] image, Path diff) throws IOException {
        byte[][] state = {image};
        try (RbdDiffReader reader = new RbdDiffReader(diff)) {
            reader.accept(new RbdDiffReader.Visitor() {
                @Override
                public void size(long imageSize) {
                    state[0] = Arrays.copyOf(state[0], (int) imageSize);
                }

                @Override
                public void data(long offset, byte[] payload) {
                    System.arraycopy(payload, 0, state[0], (int) offset, payload.length);
                }

                @Override
                public void zero(long offset, long length) {
                    Arrays.fill(state[0], (int) offset, (int) (offset + length), (byte) 0);
                }
            });
        }
        return state[0];
    }
}
