package io.blockferry.target;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A volume's replica as a sparse raw image file. A full generation builds a new file while it is
 * received ({@link FullBuild}: each byte written once, nothing replayed at END) and replaces the
 * replica by an atomic rename once committed. An incremental is applied in place from its point
 * diff, after it is committed; zeros become holes. Applying the same diff twice gives the same
 * image, so an interrupted apply is simply repeated, but only onto the replica state it was meant
 * for (the catalog's replica row says which).
 */
final class ReplicaFiles {

    private static final int COPY_BUFFER = 256 << 10;

    private ReplicaFiles() {
    }

    /** The new replica of a full generation, written as its records arrive. */
    static final class FullBuild implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;

        private FullBuild(Path file, FileChannel channel) {
            this.file = file;
            this.channel = channel;
        }

        /** Starts an empty (sparse) image of {@code size} bytes, replacing any earlier attempt. */
        static FullBuild create(Path file, long size) {
            try {
                Files.deleteIfExists(file);
                FileChannel channel = io.blockferry.store.OwnerOnly.open(file, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
                setLength(channel, size);
                return new FullBuild(file, channel);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the new replica " + file + ": " + e.getMessage(), e);
            }
        }

        /** Reopens a build after a restart; records after its last checkpoint are written again. */
        static FullBuild resume(Path file, long size) {
            try {
                FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
                setLength(channel, size);
                return new FullBuild(file, channel);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot reopen the new replica " + file + ": " + e.getMessage(), e);
            }
        }

        void write(long offset, ByteBuffer data) {
            try {
                writeFully(channel, data.duplicate(), offset);
            } catch (IOException e) {
                throw new UncheckedIOException("writing the new replica " + file + " failed: " + e.getMessage(), e);
            }
        }

        void force() {
            try {
                channel.force(false);
            } catch (IOException e) {
                throw new UncheckedIOException("fsync of the new replica " + file + " failed", e);
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

    /** Makes a finished full build the replica: one atomic rename, made durable. */
    static void install(Path build, Path replica) {
        try {
            Files.move(build, replica, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move the new replica " + build + " into place: " + e.getMessage(), e);
        }
        Repository.syncDirectory(replica.getParent());
    }

    /**
     * Applies an incremental point's diff to the replica in place and makes it durable. The replica
     * must exist: an incremental never creates one (a missing replica is a lost base, not an empty one).
     */
    static void applyIncremental(Path diff, Path replica) throws IOException {
        try (FileChannel out = FileChannel.open(replica, StandardOpenOption.WRITE);
             RbdDiffCursor cursor = new RbdDiffCursor(diff)) {
            setLength(out, cursor.imageSize());
            byte[] buffer = new byte[COPY_BUFFER];
            HolePunch holes = null;
            try {
                while (cursor.next()) {
                    if (cursor.data()) {
                        long at = cursor.offset();
                        for (long left = cursor.length(); left > 0; ) {
                            int n = (int) Math.min(buffer.length, left);
                            cursor.read(buffer, 0, n);
                            writeFully(out, ByteBuffer.wrap(buffer, 0, n), at);
                            at += n;
                            left -= n;
                        }
                    } else {
                        if (holes == null) {
                            holes = HolePunch.open(replica);
                        }
                        if (!holes.punch(cursor.offset(), cursor.length())) {
                            writeZeros(out, cursor.offset(), cursor.length());
                        }
                    }
                }
            } finally {
                if (holes != null) {
                    holes.close();
                }
            }
            out.force(false);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(replica.toString(), null, "the replica is missing, so incremental "
                    + diff.getFileName() + " has nothing to apply to");
        }
    }

    private static void setLength(FileChannel channel, long size) throws IOException {
        if (channel.size() > size) {
            channel.truncate(size);
        } else if (channel.size() < size) {
            // one byte at the end grows the file sparsely; the byte is zero, as the new range reads
            channel.write(ByteBuffer.allocate(1), size - 1);
        }
    }

    private static void writeZeros(FileChannel out, long offset, long length) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(COPY_BUFFER, length));
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(zeros.capacity(), length - done);
            writeFully(out, zeros.clear().limit(n), offset + done);
            done += n;
        }
    }

    static void writeFully(FileChannel out, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += out.write(buffer, at);
        }
    }
}
