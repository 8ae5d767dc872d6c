package io.blockferry.consumer;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Applies generations to raw images: by default one sparse file per volume in a directory
 * ({@code <dir>/<URL-encoded volume id>.img}); a full generation is built beside it and renamed
 * over it, so the file always holds a whole committed generation. With {@link #devices}, volumes
 * go to given paths (block devices) in place: a full generation also writes zeros where it has
 * no extent, since a device keeps its old bytes.
 */
public final class FileApplier implements GenerationHandler {

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 20);

    private final Path dir;
    private final Map<String, Path> devices;

    public FileApplier(Path dir) {
        this.dir = dir;
        this.devices = Map.of();
    }

    private FileApplier(Map<String, Path> devices) {
        this.dir = null;
        this.devices = Map.copyOf(devices);
    }

    /** Writes each volume to its device (or existing file), in place. */
    public static FileApplier devices(Map<String, Path> devices) {
        return new FileApplier(devices);
    }

    /** Where a volume's image is. */
    public Path imageOf(String volumeId) {
        Path device = devices.get(volumeId);
        return device != null ? device : dir.resolve(URLEncoder.encode(volumeId, StandardCharsets.UTF_8) + ".img");
    }

    @Override
    public void apply(Generation g) throws IOException {
        Path image = imageOf(g.volumeId());
        boolean inPlace = devices.containsKey(g.volumeId());
        if (g.full() && !inPlace) {
            Files.createDirectories(image.getParent());
            Path part = image.resolveSibling(image.getFileName() + ".part");
            try (RandomAccessFile f = new RandomAccessFile(part.toFile(), "rw")) {
                f.setLength(0);
                f.setLength(g.imageSize()); // sparse: every byte no DATA covers reads as zero
                FileChannel out = f.getChannel();
                g.forEachExtent((offset, length, data) -> {
                    if (data != null) {
                        write(out, data, offset);
                    }
                });
                out.force(true);
            }
            Files.move(part, image, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        if (!Files.exists(image)) {
            throw new IOException("no image of " + g.volumeId() + " at " + image + " to apply generation "
                    + g.generation() + " onto");
        }
        try (FileChannel out = FileChannel.open(image, StandardOpenOption.WRITE)) {
            long[] next = {0};
            g.forEachExtent((offset, length, data) -> {
                if (g.full()) {
                    zeros(out, next[0], offset - next[0]);
                }
                if (data != null) {
                    write(out, data, offset);
                } else {
                    zeros(out, offset, length);
                }
                next[0] = offset + length;
            });
            if (g.full()) {
                zeros(out, next[0], g.imageSize() - next[0]);
            }
            out.force(true);
        }
    }

    private static void write(FileChannel out, ByteBuffer data, long offset) throws IOException {
        ByteBuffer b = data.duplicate();
        long at = offset;
        while (b.hasRemaining()) {
            at += out.write(b, at);
        }
    }

    private static void zeros(FileChannel out, long offset, long length) throws IOException {
        long at = offset;
        long end = offset + length;
        while (at < end) {
            ByteBuffer z = ZEROS.duplicate();
            z.limit((int) Math.min(z.capacity(), end - at));
            at += out.write(z, at);
        }
    }
}
