package io.blockferry.source;

import io.blockferry.transport.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The target's newest point of a volume as chunk sums, for one checksum resync: a chunk whose
 * SHA-256 equals the target's is not sent. The sums are in a file (32 bytes per chunk), not in
 * memory, so a resync of any size holds only the chunks being read. Used from the reader threads
 * at once; deletes its file when closed.
 *
 * @param generation the target point the resync builds on
 * @param snapshot   its snapshot, the BEGIN's base
 */
public final class ChecksumBasis implements ChunkStream.ChunkFilter {

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Sha256::create);

    private final long generation;
    private final String snapshot;
    private final int chunkSize;
    private final Path file;
    private final FileChannel sums;

    ChecksumBasis(long generation, String snapshot, int chunkSize, Path file) {
        this.generation = generation;
        this.snapshot = snapshot;
        this.chunkSize = chunkSize;
        this.file = file;
        try {
            this.sums = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the target's chunk sums " + file, e);
        }
    }

    public long generation() {
        return generation;
    }

    public String snapshot() {
        return snapshot;
    }

    public int chunkSize() {
        return chunkSize;
    }

    @Override
    public boolean unchanged(long offset, ByteBuffer bytes) {
        MessageDigest sha = SHA256.get();
        sha.update(bytes);
        byte[] now = sha.digest();
        byte[] then = new byte[now.length];
        ByteBuffer into = ByteBuffer.wrap(then);
        long position = offset / chunkSize * then.length;
        try {
            while (into.hasRemaining()) {
                if (sums.read(into, position + into.position()) < 0) {
                    return false;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the target's chunk sums " + file + " failed", e);
        }
        return Arrays.equals(now, then);
    }

    @Override
    public void close() {
        try {
            sums.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a leftover in the spill directory is removed with it at the next start
        }
    }
}
