package io.blockferry.transport;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A generation's manifest on disk: one fixed-size entry per DATA or ZERO record (kind, offset,
 * length, CRC32C), in record order. It lets a restarted writer recompute the manifest digest,
 * and a scrub compare a replica with what was received.
 */
public final class ManifestFile {

    public static final int ENTRY_BYTES = 1 + 8 + 8 + 4;

    private ManifestFile() {
    }

    public static void append(FileChannel channel, ManifestEntry entry) {
        ByteBuffer buffer = ByteBuffer.allocate(ENTRY_BYTES);
        buffer.put(entry.zero() ? (byte) 'z' : (byte) 'w').putLong(entry.offset()).putLong(entry.length())
                .putInt(entry.crc32c()).flip();
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing a manifest failed", e);
        }
    }

    /** Reads the first {@code length} bytes of a manifest, entry by entry. */
    public static void read(Path file, long length, Consumer<ManifestEntry> consumer) {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            for (long read = 0; read + ENTRY_BYTES <= length; read += ENTRY_BYTES) {
                boolean zero = in.readByte() == 'z';
                consumer.accept(new ManifestEntry(zero, in.readLong(), in.readLong(), in.readInt()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading manifest " + file + " failed", e);
        }
    }

    /** Reads entry {@code index} of a manifest open for reading. */
    public static ManifestEntry entry(FileChannel channel, long index) {
        ByteBuffer buffer = ByteBuffer.allocate(ENTRY_BYTES);
        try {
            long position = index * ENTRY_BYTES;
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, position + buffer.position()) < 0) {
                    throw new IOException("manifest ends before entry " + index);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading a manifest entry failed", e);
        }
        buffer.flip();
        boolean zero = buffer.get() == 'z';
        return new ManifestEntry(zero, buffer.getLong(), buffer.getLong(), buffer.getInt());
    }
}
