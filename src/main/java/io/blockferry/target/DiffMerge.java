package io.blockferry.target;

import io.blockferry.transport.ManifestDigest;
import io.blockferry.transport.ManifestEntry;
import io.blockferry.transport.ManifestFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Merges two consecutive diffs of a volume into one, with the semantics of {@code rbd merge-diff}:
 * the result goes from the older diff's base to the newer diff's snapshot at the newer size, and
 * where both changed a range the newer wins. Both diffs are in offset order, so this is a
 * merge-join of two record streams: memory is one small copy buffer, whatever the diffs hold.
 * Beside the diff it writes the manifest of the merged point (an entry per record, with its
 * CRC32C), so a scrub checks a merged point like any received one.
 */
public final class DiffMerge {

    private static final int BUFFER = 64 << 10;
    /**
     * Longest zero record written. A zero range the merge makes up (the older diff's image grew)
     * is cut into pieces no longer than this, because a scrub reads each manifest range whole.
     */
    static final long MAX_ZERO = 4L << 20;

    private final RbdDiffWriter out;
    private final FileChannel manifest;
    private final ManifestDigest digest = new ManifestDigest();
    private final byte[] buffer = new byte[BUFFER];
    private long dataChunks;
    private long zeroChunks;
    private long dataBytes;
    private long zeroBytes;

    private DiffMerge(RbdDiffWriter out, FileChannel manifest) {
        this.out = out;
        this.manifest = manifest;
    }

    /**
     * Writes the merge of {@code older} and {@code newer} (whose base must be older's snapshot) to
     * {@code outDiff} and {@code outManifest}, and makes both durable.
     */
    public static MergedDiff merge(Path older, Path newer, Path outDiff, Path outManifest) throws IOException {
        try (RbdDiffCursor first = new RbdDiffCursor(older); RbdDiffCursor second = new RbdDiffCursor(newer)) {
            if (!Objects.equals(first.toSnapshot(), second.fromSnapshot())) {
                throw new IOException("cannot merge " + older + " (to snapshot " + first.toSnapshot() + ") with "
                        + newer + " (from snapshot " + second.fromSnapshot() + "): they are not consecutive");
            }
            try (RbdDiffWriter writer = RbdDiffWriter.create(outDiff, first.fromSnapshot(), second.toSnapshot(),
                    second.imageSize());
                 FileChannel channel = io.blockferry.store.OwnerOnly.open(outManifest, StandardOpenOption.CREATE,
                         StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                DiffMerge merge = new DiffMerge(writer, channel);
                merge.join(new Run(first, second.imageSize()), new Run(second, 0), second.imageSize());
                writer.end();
                writer.force();
                channel.force(false);
                return new MergedDiff(merge.dataChunks, merge.zeroChunks, merge.dataBytes, merge.zeroBytes,
                        merge.digest.finish());
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Emits the records of both diffs in offset order; where they overlap, only the newer's. */
    private void join(Run older, Run newer, long size) throws IOException {
        while (true) {
            boolean olderLeft = older.ready();
            boolean newerLeft = newer.ready();
            if (!olderLeft && !newerLeft) {
                return;
            }
            if (olderLeft && older.start >= size) {
                older.skip(older.end - older.start); // the image shrank: the older bytes beyond it are gone
            } else if (olderLeft && (!newerLeft || older.start < newer.start)) {
                long until = Math.min(Math.min(older.end, size), newerLeft ? newer.start : Long.MAX_VALUE);
                copy(older, until - older.start);
            } else if (olderLeft && older.start < newer.end) {
                older.skip(Math.min(older.end, newer.end) - older.start); // written again by the newer diff
            } else {
                copy(newer, newer.end - newer.start);
            }
        }
    }

    /** Writes the next {@code length} bytes of a run's record as a record of its own. */
    private void copy(Run run, long length) throws IOException {
        long offset = run.start;
        if (run.data) {
            out.beginData(offset, length);
            CRC32C crc = new CRC32C();
            for (long done = 0; done < length; ) {
                int n = (int) Math.min(buffer.length, length - done);
                run.cursor.read(buffer, 0, n);
                crc.update(buffer, 0, n);
                out.dataBytes(buffer, 0, n);
                done += n;
            }
            record(new ManifestEntry(false, offset, length, (int) crc.getValue()));
            dataChunks++;
            dataBytes += length;
        } else {
            for (long done = 0; done < length; ) {
                long piece = Math.min(MAX_ZERO, length - done);
                out.zero(offset + done, piece);
                record(new ManifestEntry(true, offset + done, piece, 0));
                zeroChunks++;
                zeroBytes += piece;
                done += piece;
            }
        }
        run.start += length;
    }

    private void record(ManifestEntry entry) {
        ManifestFile.append(manifest, entry);
        digest.add(entry);
    }

    /** The unconsumed rest of one diff's current record. */
    private static final class Run {
        private final RbdDiffCursor cursor;
        /**
         * For the older diff: applying it resized the image to its size, so when the newer image is
         * larger, the range between reads as zeros in the newer state even where the base had data.
         */
        private final long growTo;
        private boolean ended;
        private boolean done;
        long start;
        long end;
        boolean data;

        Run(RbdDiffCursor cursor, long growTo) {
            this.cursor = cursor;
            this.growTo = growTo;
        }

        /** Loads the next record once this one is consumed; false when the diff has no more. */
        boolean ready() throws IOException {
            while (!done && start == end) {
                if (!ended && cursor.next()) {
                    start = cursor.offset();
                    end = start + cursor.length();
                    data = cursor.data();
                } else if (!ended) {
                    ended = true;
                    if (growTo > cursor.imageSize()) {
                        start = cursor.imageSize();
                        end = growTo;
                        data = false;
                    }
                } else {
                    done = true;
                }
            }
            return !done;
        }

        void skip(long bytes) throws IOException {
            if (data) {
                cursor.skip(bytes);
            }
            start += bytes;
        }
    }
}
