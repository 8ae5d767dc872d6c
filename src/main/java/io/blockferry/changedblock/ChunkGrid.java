package io.blockferry.changedblock;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Cuts ordered changed extents at multiples of the chunk size and joins touching pieces within
 * one grid cell, so every piece lies inside one cell and is at most one chunk long. Only changed
 * bytes are kept: a 64 KiB change stays a 64 KiB piece.
 */
public final class ChunkGrid implements Iterator<Extent> {

    private final Iterator<Extent> extents;
    private final long chunkSize;
    private Extent current;
    private Extent lookahead;
    private Extent pending;

    public ChunkGrid(Iterator<Extent> extents, long chunkSize) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunk size must be positive");
        }
        this.extents = extents;
        this.chunkSize = chunkSize;
    }

    @Override
    public boolean hasNext() {
        if (pending == null) {
            pending = advance();
        }
        return pending != null;
    }

    @Override
    public Extent next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Extent out = pending;
        pending = null;
        return out;
    }

    private Extent advance() {
        Extent piece = nextPiece();
        if (piece == null) {
            return null;
        }
        while (true) {
            Extent following = peekPiece();
            if (following == null || following.offset() != piece.end() || following.exists() != piece.exists()
                    || cell(following.offset()) != cell(piece.offset())) {
                return piece;
            }
            nextPiece();
            piece = new Extent(piece.offset(), piece.length() + following.length(), piece.exists());
        }
    }

    private Extent peekPiece() {
        if (lookahead == null) {
            lookahead = cutPiece();
        }
        return lookahead;
    }

    private Extent nextPiece() {
        Extent out = peekPiece();
        lookahead = null;
        return out;
    }

    private Extent cutPiece() {
        while (current == null || current.length() == 0) {
            if (!extents.hasNext()) {
                return null;
            }
            current = extents.next();
        }
        long cellEnd = (cell(current.offset()) + 1) * chunkSize;
        long length = Math.min(current.length(), cellEnd - current.offset());
        Extent piece = new Extent(current.offset(), length, current.exists());
        current = new Extent(current.offset() + length, current.length() - length, current.exists());
        return piece;
    }

    private long cell(long offset) {
        return offset / chunkSize;
    }
}
