package io.blockferry.target;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Brings a volume's replica image to a committed recovery point by replaying its diff file.
 * A full generation is built in a new sparse file and renamed over the replica only when it is
 * complete and durable; an incremental is applied in place, growing or shrinking the replica to
 * the new size (sparsely). Replaying the same diff twice gives
 * the same image, so an interrupted apply is simply repeated.
 */
public final class ReplicaApplier {

    private static final int ZERO_BLOCK = 1 << 20;
    private final ByteBuffer zeros = ByteBuffer.allocateDirect(ZERO_BLOCK);

    public void apply(Path diff, Path replica, boolean full) {
        Path target = full ? replica.resolveSibling(replica.getFileName() + ".new") : replica;
        try {
            if (full) {
                Files.deleteIfExists(target);
            }
            try (RandomAccessFile file = new RandomAccessFile(target.toFile(), "rw");
                 RbdDiffReader reader = new RbdDiffReader(diff)) {
                FileChannel out = file.getChannel();
                reader.accept(new RbdDiffReader.Visitor() {
                    @Override
                    public void size(long imageSize) throws IOException {
                        file.setLength(imageSize);
                    }

                    @Override
                    public void data(long offset, byte[] payload) throws IOException {
                        writeFully(out, ByteBuffer.wrap(payload), offset);
                    }

                    @Override
                    public void zero(long offset, long length) throws IOException {
                        if (!full) {
                            writeZeros(out, offset, length);
                        }
                    }
                });
                out.force(false);
            }
            if (full) {
                Files.move(target, replica, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("applying " + diff + " to " + replica + " failed: " + e.getMessage(), e);
        }
    }

    private void writeZeros(FileChannel out, long offset, long length) throws IOException {
        long done = 0;
        while (done < length) {
            int n = (int) Math.min(ZERO_BLOCK, length - done);
            ByteBuffer slice = zeros.duplicate().limit(n);
            writeFully(out, slice, offset + done);
            done += n;
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += out.write(buffer, at);
        }
    }
}
