package io.blockferry.target;

import io.blockferry.source.BlockReader;
import io.blockferry.transport.ChunkSumsRecord;
import io.blockferry.transport.ManifestFile;
import io.blockferry.transport.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Optional;

/**
 * The SHA-256 of every chunk of a volume's replica at its newest point, kept in one file beside the
 * volume's points ({@code chunk-sums}): a header (generation, image size, grid) and 32 bytes per
 * chunk. A source's checksum resync compares its disk with them, so the target never re-reads its
 * replica to compare.
 *
 * <p>Updated after each commit from what the point changed: the chunks its manifest touches are
 * read back from the replica (just written, so mostly from the page cache) and hashed; the others
 * keep the sums of the point before (an incremental) or are zeros (a full, whose new replica holds
 * only what it received). When the file is not of the point's base (lost, or a commit that was
 * killed before its update), every chunk is read back. The new file is written aside and renamed
 * over the old one: a kill leaves the old sums or the new ones, each naming its own generation.
 */
public final class ChunkSums {

    /** The grid: 1 MiB, the source's default chunk size. */
    public static final int CHUNK = 1 << 20;
    private static final byte[] MAGIC = {'B', 'F', 'S', 'U', 'M', 'S', '1', '\n'};
    private static final int HEADER = MAGIC.length + Long.BYTES + Long.BYTES + Integer.BYTES;
    private static final int SUM = ChunkSumsRecord.SUM_BYTES;
    /** The sum of a whole chunk of zeros (a chunk a full point never wrote). */
    private static final byte[] ZERO_CHUNK_SUM = zeroSum(CHUNK);

    /** The header of a sums file. */
    public record Header(long generation, long imageSize, int chunkSize) {
        public long chunks() {
            return ChunkSumsRecord.chunks(imageSize, chunkSize);
        }
    }

    /** What an update wrote: the header, the digest of all sums, and which segments changed. */
    public record Update(Header header, byte[] digest, BitSet changedSegments) {
    }

    private ChunkSums() {
    }

    /** The header of the file, or empty when there is none (or it cannot be read). */
    public static Optional<Header> header(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(HEADER);
            readFully(in, b, 0);
            b.flip();
            byte[] magic = new byte[MAGIC.length];
            b.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                return Optional.empty();
            }
            Header h = new Header(b.getLong(), b.getLong(), b.getInt());
            return in.size() == HEADER + h.chunks() * SUM ? Optional.of(h) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The sums of one segment (see {@link ChunkSumsRecord#SEGMENT_CHUNKS}). */
    public static byte[] segment(Path file, Header header, int segment) {
        long first = (long) segment * ChunkSumsRecord.SEGMENT_CHUNKS;
        long count = Math.min(ChunkSumsRecord.SEGMENT_CHUNKS, header.chunks() - first);
        ByteBuffer b = ByteBuffer.allocate((int) (count * SUM));
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            readFully(in, b, HEADER + first * SUM);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the chunk sums " + file + " failed", e);
        }
        return b.array();
    }

    /**
     * Writes the sums of the replica at point {@code generation}.
     *
     * @param manifest        the point's manifest (what it changed)
     * @param baseGeneration  the point an incremental builds on (-1 for a full)
     * @param replica         reads the replica, which holds the point now
     */
    public static Update update(Path file, long generation, long imageSize, boolean full, long baseGeneration,
                                Path manifest, BlockReader replica) {
        Header header = new Header(generation, imageSize, CHUNK);
        long chunks = header.chunks();
        BitSet touched = touched(manifest, chunks);
        Optional<Header> before = header(file);
        boolean onBase = !full && before.isPresent() && before.get().generation() == baseGeneration
                && before.get().imageSize() == imageSize && before.get().chunkSize() == CHUNK;
        Path next = file.resolveSibling(file.getFileName() + ".new");
        MessageDigest all = Sha256.create();
        MessageDigest one = Sha256.create();
        BitSet changedSegments = new BitSet();
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
        byte[] sum = new byte[SUM];
        byte[] old = new byte[SUM];
        try (FileChannel out = io.blockferry.store.OwnerOnly.open(next, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
             FileChannel previous = onBase ? FileChannel.open(file, StandardOpenOption.READ) : null) {
            ByteBuffer h = ByteBuffer.allocate(HEADER).put(MAGIC).putLong(generation).putLong(imageSize).putInt(CHUNK);
            writeFully(out, h.flip());
            ByteBuffer sums = ByteBuffer.allocate(SUM * 1024);
            for (long i = 0; i < chunks; i++) {
                int length = (int) Math.min(CHUNK, imageSize - i * CHUNK);
                if (onBase) {
                    // the file holds the base at this size and grid: chunk i's sum is where it always was
                    readFully(previous, ByteBuffer.wrap(old), HEADER + i * SUM);
                }
                if (onBase && !touched.get((int) i)) {
                    System.arraycopy(old, 0, sum, 0, SUM);
                } else if (full && !touched.get((int) i)) {
                    System.arraycopy(length == CHUNK ? ZERO_CHUNK_SUM : zeroSum(length), 0, sum, 0, SUM);
                } else {
                    chunk.clear().limit(length);
                    // a BlockReader fills from position to limit and leaves both where they were
                    replica.read(i * CHUNK, chunk);
                    one.update(chunk);
                    one.digest(sum, 0, SUM);
                }
                if (!onBase || !Arrays.equals(sum, old)) {
                    changedSegments.set((int) (i / ChunkSumsRecord.SEGMENT_CHUNKS));
                }
                all.update(sum);
                if (!sums.hasRemaining()) {
                    writeFully(out, sums.flip());
                    sums.clear();
                }
                sums.put(sum);
            }
            writeFully(out, sums.flip());
            out.force(true);
        } catch (IOException | java.security.DigestException e) {
            throw new UncheckedIOException("writing the chunk sums " + file + " failed",
                    e instanceof IOException io ? io : new IOException(e));
        }
        try {
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + next + " into place", e);
        }
        Repository.syncDirectory(file.getParent());
        return new Update(header, all.digest(), changedSegments);
    }

    /** SHA-256, in hex, of all sums of a file in chunk order. */
    public static String digest(Path file, Header header) {
        MessageDigest all = Sha256.create();
        for (int s = 0; s < ChunkSumsRecord.segments(header.chunks()); s++) {
            all.update(segment(file, header, s));
        }
        return java.util.HexFormat.of().formatHex(all.digest());
    }

    /** The chunks a manifest's entries touch. */
    private static BitSet touched(Path manifest, long chunks) {
        if (chunks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a volume of " + chunks + " chunks is beyond the chunk sums");
        }
        BitSet touched = new BitSet((int) chunks);
        try {
            ManifestFile.read(manifest, Files.size(manifest), e -> touched.set((int) (e.offset() / CHUNK),
                    (int) Math.min(chunks, (e.offset() + e.length() - 1) / CHUNK + 1)));
        } catch (IOException e) {
            throw new UncheckedIOException("reading the manifest " + manifest + " failed", e);
        }
        return touched;
    }

    private static byte[] zeroSum(int length) {
        return Sha256.create().digest(new byte[length]);
    }

    private static void readFully(FileChannel in, ByteBuffer into, long position) throws IOException {
        while (into.hasRemaining()) {
            int n = in.read(into, position + into.position());
            if (n < 0) {
                throw new IOException("file ends early");
            }
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer from) throws IOException {
        while (from.hasRemaining()) {
            out.write(from);
        }
    }
}
