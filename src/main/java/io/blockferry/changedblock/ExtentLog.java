package io.blockferry.changedblock;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The changed extents of a generation, listed once: the one pass over the diff both counts the
 * bytes to send (for progress, and BEGIN) and remembers the extents for the stream, so the diff is
 * never iterated twice. Up to {@link #IN_MEMORY} extents are kept in arrays; beyond that they go
 * to a temporary file, so memory stays bounded however fragmented the diff.
 */
public final class ExtentLog implements Iterable<Extent>, AutoCloseable {

    static final int IN_MEMORY = 1 << 16;

    private final long[] offsets = new long[IN_MEMORY];
    /** Negative for a range that does not exist in the newer snapshot (reads as zeros). */
    private final long[] lengths = new long[IN_MEMORY];
    private int inMemory;
    private long count;
    private long totalBytes;
    private Path spill;
    private DataInputStream reader;

    private ExtentLog() {
    }

    /**
     * Drains {@code extents} (in offset order) into a log.
     *
     * @param spillDir where a temporary file is made when the extents do not fit in memory
     */
    public static ExtentLog collect(Iterator<Extent> extents, Path spillDir) {
        ExtentLog log = new ExtentLog();
        DataOutputStream out = null;
        try {
            while (extents.hasNext()) {
                Extent e = extents.next();
                if (e.length() <= 0) {
                    continue;
                }
                log.count++;
                log.totalBytes += e.length();
                long signed = e.exists() ? e.length() : -e.length();
                if (log.inMemory < IN_MEMORY) {
                    log.offsets[log.inMemory] = e.offset();
                    log.lengths[log.inMemory++] = signed;
                    continue;
                }
                if (out == null) {
                    io.blockferry.store.OwnerOnly.createDirectories(spillDir);
                    log.spill = Files.createTempFile(spillDir, "extents", ".tmp");
                    out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(log.spill), 1 << 16));
                }
                out.writeLong(e.offset());
                out.writeLong(signed);
            }
            if (out != null) {
                out.close();
            }
            return log;
        } catch (IOException e) {
            log.close();
            throw new UncheckedIOException("cannot keep the changed extents in " + spillDir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /** The bytes the extents cover: what a generation sends as DATA and ZERO records. */
    public long totalBytes() {
        return totalBytes;
    }

    public long count() {
        return count;
    }

    @Override
    public Iterator<Extent> iterator() {
        return new Iterator<>() {
            private int index;

            @Override
            public boolean hasNext() {
                return index < inMemory || (spill != null && index - inMemory < count - inMemory);
            }

            @Override
            public Extent next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                if (index < inMemory) {
                    int i = index++;
                    return extent(offsets[i], lengths[i]);
                }
                try {
                    if (reader == null) {
                        reader = new DataInputStream(new BufferedInputStream(Files.newInputStream(spill), 1 << 16));
                    }
                    long offset = reader.readLong();
                    long signed = reader.readLong();
                    index++;
                    return extent(offset, signed);
                } catch (EOFException e) {
                    throw new IllegalStateException("the changed-extent file " + spill + " ends early", e);
                } catch (IOException e) {
                    throw new UncheckedIOException("reading the changed extents from " + spill + " failed", e);
                }
            }
        };
    }

    private static Extent extent(long offset, long signedLength) {
        return new Extent(offset, Math.abs(signedLength), signedLength > 0);
    }

    /** Deletes the temporary file, if one was made. The log is single-use: one iteration, then close. */
    @Override
    public void close() {
        if (spill != null) {
            try {
                if (reader != null) {
                    reader.close();
                }
                Files.deleteIfExists(spill);
            } catch (IOException e) {
                // a leftover temporary file costs only disk space
            }
        }
    }
}
