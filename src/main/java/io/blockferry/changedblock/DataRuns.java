package io.blockferry.changedblock;

import java.nio.ByteBuffer;

/**
 * Splits the bytes read for a changed piece into runs of data and runs of zeros, so that only
 * data crosses the wire: a 4 KiB write in an otherwise empty 1 MiB chunk is sent as 4 KiB of DATA
 * and a ZERO record for the rest. Granules are {@code granularity} bytes aligned on the disk; a
 * run of zero granules shorter than {@code minZeroRun} between data is kept as data, so a
 * fragmented block does not become hundreds of tiny records. Not thread-safe: one per reader.
 */
public final class DataRuns {

    /** Receives the runs of a piece in offset order. */
    @FunctionalInterface
    public interface Sink {
        void run(long offset, int bufferOffset, int length, boolean zero);
    }

    private final int granularity;
    private final int minZeroRun;
    private final ByteBuffer zeros;
    private final ByteBuffer zeroView;

    /**
     * @param granularity the zero-detection unit, a power of two (4 KiB: a filesystem block)
     * @param minZeroRun  the shortest zero run sent as ZERO between data (a multiple of the granularity)
     */
    public DataRuns(int granularity, int minZeroRun) {
        if (granularity < 512 || Integer.bitCount(granularity) != 1 || minZeroRun < granularity) {
            throw new IllegalArgumentException("zero-detection granularity " + granularity + " must be a power of two "
                    + "of at least 512, and the minimum zero run " + minZeroRun + " at least that");
        }
        this.granularity = granularity;
        this.minZeroRun = minZeroRun;
        this.zeros = ByteBuffer.allocateDirect(granularity);
        this.zeroView = zeros.duplicate();
    }

    /**
     * Visits the runs of {@code bytes} ({@code [0, length)} of the buffer, read from disk offset
     * {@code offset}). A piece that is all zeros is one zero run; one with no zero run long enough
     * is one data run.
     */
    public void split(ByteBuffer bytes, long offset, int length, Sink sink) {
        ByteBuffer view = bytes.duplicate();
        int dataStart = -1;
        int zeroStart = -1;
        for (int position = 0; position < length; ) {
            int granuleEnd = (int) Math.min(length, alignUp(offset + position + 1) - offset);
            if (isZero(view, position, granuleEnd)) {
                if (zeroStart < 0) {
                    zeroStart = position;
                }
            } else {
                if (zeroStart >= 0) {
                    if (position - zeroStart >= minZeroRun) {
                        emit(sink, offset, dataStart, zeroStart, false);
                        emit(sink, offset, zeroStart, position, true);
                        dataStart = -1;
                    } else if (dataStart < 0) {
                        dataStart = zeroStart;
                    }
                    zeroStart = -1;
                }
                if (dataStart < 0) {
                    dataStart = position;
                }
            }
            position = granuleEnd;
        }
        if (zeroStart >= 0 && (dataStart < 0 || length - zeroStart >= minZeroRun)) {
            emit(sink, offset, dataStart, zeroStart, false);
            emit(sink, offset, zeroStart, length, true);
        } else {
            emit(sink, offset, dataStart, length, false);
        }
    }

    private static void emit(Sink sink, long offset, int from, int to, boolean zero) {
        if (from >= 0 && to > from) {
            sink.run(offset + from, from, to - from, zero);
        }
    }

    private boolean isZero(ByteBuffer view, int from, int to) {
        view.limit(to).position(from);
        zeroView.limit(to - from).position(0);
        return view.mismatch(zeroView) == -1;
    }

    private long alignUp(long value) {
        return (value + granularity - 1) & -granularity;
    }
}
