package io.blockferry.target;

import io.blockferry.transport.ChunkRecord;
import io.blockferry.transport.ManifestDigest;
import io.blockferry.transport.ManifestEntry;
import io.blockferry.transport.ManifestFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A generation being received: its records are appended to a staged diff and manifest, never
 * to the replica, so the last recovery point stays intact until END is verified.
 */
final class StagedGeneration implements AutoCloseable {

    private final ChunkRecord.Begin begin;
    private final Path diffFile;
    private final Path manifestFile;
    private final RbdDiffWriter diff;
    private final FileChannel manifest;
    private final ManifestDigest digest = new ManifestDigest();
    private long nextSeq;
    private long nextOffset;
    private long dataChunks;
    private long zeroChunks;
    private long dataBytes;
    private long zeroBytes;
    private String failureCause;
    private String failureReason;

    private StagedGeneration(ChunkRecord.Begin begin, Path diffFile, Path manifestFile, RbdDiffWriter diff,
                             FileChannel manifest, long nextSeq) {
        this.begin = begin;
        this.diffFile = diffFile;
        this.manifestFile = manifestFile;
        this.diff = diff;
        this.manifest = manifest;
        this.nextSeq = nextSeq;
    }

    static StagedGeneration create(Repository repo, ChunkRecord.Begin b) {
        Path diffFile = repo.stagingDiff(b.volumeId(), b.generation());
        Path manifestFile = repo.stagingManifest(b.volumeId(), b.generation());
        RbdDiffWriter diff = RbdDiffWriter.create(diffFile, b.baseSnapshot(), b.snapshot(), b.imageSize());
        StagedGeneration staged = new StagedGeneration(b, diffFile, manifestFile, diff,
                openManifest(manifestFile, 0), 1);
        staged.force();
        return staged;
    }

    /** Reopens a staging after a restart at its last durable checkpoint. */
    static StagedGeneration resume(Repository repo, StagingRow row) {
        ChunkRecord.Begin b = row.begin();
        Path diffFile = repo.stagingDiff(b.volumeId(), b.generation());
        Path manifestFile = repo.stagingManifest(b.volumeId(), b.generation());
        StagedGeneration staged = new StagedGeneration(b, diffFile, manifestFile,
                RbdDiffWriter.resume(diffFile, row.diffLength()), openManifest(manifestFile, row.manifestLength()),
                row.nextSeq());
        ManifestFile.read(manifestFile, row.manifestLength(), staged::received);
        staged.dataChunks = row.dataChunks();
        staged.zeroChunks = row.zeroChunks();
        staged.dataBytes = row.dataBytes();
        staged.zeroBytes = row.zeroBytes();
        staged.failureCause = row.failureCause();
        staged.failureReason = row.failureReason();
        return staged;
    }

    private static FileChannel openManifest(Path file, long length) {
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            channel.truncate(length);
            channel.position(length);
            return channel;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open manifest " + file, e);
        }
    }

    ChunkRecord.Begin begin() {
        return begin;
    }

    long nextSeq() {
        return nextSeq;
    }

    /** Where the last record received ended: the next may not start before it (diffs stay sorted for merging). */
    long nextOffset() {
        return nextOffset;
    }

    /** Appends the next DATA or ZERO record; the caller has checked its order and checksum. */
    void append(ChunkRecord record) {
        ManifestEntry entry = ManifestEntry.of(record);
        if (record instanceof ChunkRecord.Data d) {
            diff.data(d.offset(), d.payload());
            dataChunks++;
            dataBytes += d.length();
        } else {
            diff.zero(entry.offset(), entry.length());
            zeroChunks++;
            zeroBytes += entry.length();
        }
        ManifestFile.append(manifest, entry);
        received(entry);
        nextSeq++;
    }

    private void received(ManifestEntry entry) {
        digest.add(entry);
        nextOffset = entry.offset() + entry.length();
    }

    /** Marks the generation as unusable; its remaining records are ignored and END is answered with a rejection. */
    void fail(String cause, String reason) {
        if (failureCause == null) {
            failureCause = cause;
            failureReason = reason;
        }
    }

    boolean failed() {
        return failureCause != null;
    }

    String failureCause() {
        return failureCause;
    }

    String failureReason() {
        return failureReason;
    }

    /** Why END does not match what was received, or null when it does. */
    String mismatch(ChunkRecord.End end) {
        if (end.dataChunks() != dataChunks || end.zeroChunks() != zeroChunks || end.dataBytes() != dataBytes
                || end.zeroBytes() != zeroBytes) {
            return String.format("END announces %d data chunks (%d bytes) and %d zero chunks, but %d data chunks "
                    + "(%d bytes) and %d zero chunks were received", end.dataChunks(), end.dataBytes(), end.zeroChunks(),
                    dataChunks, dataBytes, zeroChunks);
        }
        if (!Arrays.equals(end.manifestDigest(), digest.finish())) {
            return "the manifest digest of the received records differs from the source's";
        }
        return null;
    }

    StagingRow row() {
        return new StagingRow(begin, nextSeq, diff.length(), position(manifest), dataChunks, zeroChunks, dataBytes,
                zeroBytes, failureCause, failureReason);
    }

    void force() {
        diff.force();
        try {
            manifest.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("fsync of manifest " + manifestFile + " failed", e);
        }
    }

    /** Ends the diff, makes it durable and moves diff and manifest to their recovery-point names. */
    void seal(Path pointDiff, Path pointManifest) {
        diff.end();
        force();
        close();
        try {
            Files.move(manifestFile, pointManifest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.move(diffFile, pointDiff, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move the staged generation into place", e);
        }
    }

    void discard() {
        close();
        try {
            Files.deleteIfExists(diffFile);
            Files.deleteIfExists(manifestFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete staged files of " + begin.volumeId(), e);
        }
    }

    @Override
    public void close() {
        diff.close();
        try {
            manifest.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long position(FileChannel channel) {
        try {
            return channel.position();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
