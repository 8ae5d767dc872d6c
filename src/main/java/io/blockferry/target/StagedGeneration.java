package io.blockferry.target;

import io.blockferry.transport.ChunkRecord;
import io.blockferry.transport.ManifestDigest;
import io.blockferry.transport.ManifestEntry;
import io.blockferry.transport.ManifestFile;
import io.blockferry.transport.SyncMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A generation being received: its records are appended to a staged diff and manifest, never to
 * the replica, so the last recovery point stays intact until END is verified. A full generation
 * also writes its new replica as it arrives (a separate file), so END has nothing to replay.
 */
final class StagedGeneration implements AutoCloseable {

    private final ChunkRecord.Begin begin;
    private final Path diffFile;
    private final Path manifestFile;
    private final RbdDiffWriter diff;
    private final FileChannel manifest;
    private final Replica.FullBuild replica;
    private final Replica target;
    private final ManifestDigest digest = new ManifestDigest();
    private final long receivedAtMillis;
    private long nextSeq;
    private long nextOffset;
    private long dataChunks;
    private long zeroChunks;
    private long dataBytes;
    private long zeroBytes;
    private String failureCause;
    private String failureReason;

    private StagedGeneration(ChunkRecord.Begin begin, Repository repo, Replica target, RbdDiffWriter diff,
                             FileChannel manifest, Replica.FullBuild replica, long nextSeq, long receivedAtMillis) {
        this.begin = begin;
        this.target = target;
        this.diffFile = repo.stagingDiff(begin.volumeId(), begin.generation());
        this.manifestFile = repo.stagingManifest(begin.volumeId(), begin.generation());
        this.diff = diff;
        this.manifest = manifest;
        this.replica = replica;
        this.nextSeq = nextSeq;
        this.receivedAtMillis = receivedAtMillis;
    }

    static StagedGeneration create(Repository repo, Replica target, ChunkRecord.Begin b) {
        repo.ensureDirectories(b.volumeId());
        RbdDiffWriter diff = RbdDiffWriter.create(repo.stagingDiff(b.volumeId(), b.generation()), b.baseSnapshot(),
                b.snapshot(), b.imageSize());
        FileChannel manifest = openManifest(repo.stagingManifest(b.volumeId(), b.generation()), 0);
        Replica.FullBuild replica = b.mode() == SyncMode.FULL ? target.build(b.generation(), b.imageSize()) : null;
        StagedGeneration staged = new StagedGeneration(b, repo, target, diff, manifest, replica, 1,
                System.currentTimeMillis());
        staged.force();
        return staged;
    }

    /** Whether the files a staging row needs to resume are there (a full one's new replica too). */
    static boolean resumable(Repository repo, Replica target, StagingRow row) {
        ChunkRecord.Begin b = row.begin();
        return Files.exists(repo.stagingDiff(b.volumeId(), b.generation()))
                && Files.exists(repo.stagingManifest(b.volumeId(), b.generation()))
                && (b.mode() != SyncMode.FULL || target.hasBuild(b.generation()));
    }

    /** Reopens a staging after a restart at its last durable checkpoint. */
    static StagedGeneration resume(Repository repo, Replica target, StagingRow row) {
        ChunkRecord.Begin b = row.begin();
        Path manifestFile = repo.stagingManifest(b.volumeId(), b.generation());
        Replica.FullBuild replica = b.mode() == SyncMode.FULL ? target.resumeBuild(b.generation(), b.imageSize())
                : null;
        StagedGeneration staged = new StagedGeneration(b, repo, target,
                RbdDiffWriter.resume(repo.stagingDiff(b.volumeId(), b.generation()), row.diffLength()),
                openManifest(manifestFile, row.manifestLength()), replica, row.nextSeq(), row.receivedAtMillis());
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
            FileChannel channel = io.blockferry.store.OwnerOnly.open(file, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
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

    long receivedAtMillis() {
        return receivedAtMillis;
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
            if (replica != null) {
                replica.write(d.offset(), d.payload());
            }
            dataChunks++;
            dataBytes += d.length();
        } else {
            // a full build is sparse: a zero range is already a hole there
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
                zeroBytes, failureCause, failureReason, receivedAtMillis);
    }

    /** Makes everything received so far durable (the staging row is saved by the caller after this). */
    void force() {
        diff.force();
        if (replica != null) {
            replica.force();
        }
        try {
            manifest.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("fsync of manifest " + manifestFile + " failed", e);
        }
    }

    /** Ends the diff and makes the staged files durable, their directory entries included; they stay in staging. */
    void seal() {
        diff.end();
        force();
        close();
        Repository.syncDirectory(diffFile.getParent());
    }

    void discard() {
        close();
        try {
            Files.deleteIfExists(diffFile);
            Files.deleteIfExists(manifestFile);
            if (replica != null) {
                target.discardBuild(begin.generation());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete staged files of " + begin.volumeId(), e);
        }
    }

    @Override
    public void close() {
        diff.close();
        if (replica != null) {
            replica.close();
        }
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
