package io.blockferry.target.file;

import io.blockferry.source.BlockReader;
import io.blockferry.target.RbdDiffCursor;
import io.blockferry.target.Replica;
import io.blockferry.target.Repository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import io.blockferry.concurrent.ReadGate;

/**
 * A volume's replica as a sparse raw image in the repository ({@code REPO/VOLUME/replica.img}). A
 * full point is built in {@code staging/gNNNNNN.img.part} and renamed over the replica; an
 * incremental is applied in place, its zero ranges punched out as holes. See {@link Replica} for the
 * contract.
 */
public final class FileReplica implements Replica {

    private static final int COPY_BUFFER = 256 << 10;

    private final Repository repository;
    private final String volumeId;

    public FileReplica(Repository repository, String volumeId) {
        this.repository = repository;
        this.volumeId = volumeId;
    }

    private Path file() {
        return repository.replica(volumeId);
    }

    private Path buildFile(long generation) {
        return repository.stagingReplica(volumeId, generation);
    }

    @Override
    public FullBuild build(long generation, long size) {
        repository.ensureDirectories(volumeId);
        Path file = buildFile(generation);
        try {
            Files.deleteIfExists(file);
            return new Build(file, io.blockferry.store.OwnerOnly.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the new replica " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public FullBuild resumeBuild(long generation, long size) {
        Path file = buildFile(generation);
        try {
            return new Build(file, FileChannel.open(file, StandardOpenOption.WRITE), size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reopen the new replica " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean hasBuild(long generation) {
        return Files.exists(buildFile(generation));
    }

    @Override
    public void discardBuild(long generation) {
        try {
            Files.deleteIfExists(buildFile(generation));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + buildFile(generation), e);
        }
    }

    @Override
    public void install(long generation) {
        Path build = buildFile(generation);
        try {
            Files.move(build, file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move the new replica " + build + " into place: " + e.getMessage(), e);
        }
        Repository.syncDirectory(file().getParent());
    }

    @Override
    public void apply(long generation, Path pointDiff) throws IOException {
        Path replica = file();
        try (FileChannel out = FileChannel.open(replica, StandardOpenOption.WRITE);
             RbdDiffCursor cursor = new RbdDiffCursor(pointDiff)) {
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
                    + pointDiff.getFileName() + " has nothing to apply to");
        }
    }

    @Override
    public String problem(long expectedSize) {
        Path file = file();
        try {
            if (!Files.isRegularFile(file)) {
                return "the replica " + file + " is missing";
            }
            long size = Files.size(file);
            return size == expectedSize ? null : "the replica " + file + " has " + size + " bytes, not "
                    + expectedSize;
        } catch (IOException e) {
            return "the replica " + file + " cannot be read (" + e.getMessage() + ")";
        }
    }

    @Override
    public BlockReader reader() {
        try {
            return new FileReader(FileChannel.open(file(), StandardOpenOption.READ), file());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the replica " + file() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return file().toString();
    }

    /** A build file, sized at once (sparsely) so that a read of a range never written gives zeros. */
    private static final class Build implements FullBuild {
        private final Path file;
        private final FileChannel channel;

        Build(Path file, FileChannel channel, long size) throws IOException {
            this.file = file;
            this.channel = channel;
            setLength(channel, size);
        }

        @Override
        public void write(long offset, ByteBuffer data) {
            try {
                writeFully(channel, data.duplicate(), offset);
            } catch (IOException e) {
                throw new UncheckedIOException("writing the new replica " + file + " failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void force() {
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

    /** Reads the replica file; reads may run at once, and closing waits for them. */
    private static final class FileReader implements BlockReader {
        private final FileChannel channel;
        private final Path file;
        private final ReadGate gate;

        FileReader(FileChannel channel, Path file) {
            this.channel = channel;
            this.file = file;
            this.gate = new ReadGate(file.toString());
        }

        @Override
        public long size() {
            try {
                return channel.size();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void read(long offset, ByteBuffer into) {
            gate.enter();
            try {
                ByteBuffer view = into.duplicate();
                long at = offset;
                while (view.hasRemaining()) {
                    int n = channel.read(view, at);
                    if (n < 0) {
                        throw new IOException("[" + offset + ", +" + into.remaining() + ") lies beyond the end of "
                                + file);
                    }
                    at += n;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + file + " failed: " + e.getMessage(), e);
            } finally {
                gate.leave();
            }
        }

        @Override
        public void close() {
            gate.close(() -> {
                try {
                    channel.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
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

    private static void writeFully(FileChannel out, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += out.write(buffer, at);
        }
    }
}
