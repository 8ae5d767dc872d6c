package io.blockferry.source.rbd;

import com.ceph.rbd.RbdImage;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.blockferry.ceph.CephErrors;
import io.blockferry.ceph.LibRbd;
import io.blockferry.changedblock.Extent;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The extents that changed between a base snapshot (or nothing, for a full sync) and the
 * snapshot an image is open at, from librbd's {@code rbd_diff_iterate2}. The image is walked in
 * windows, so only one window's extents are ever held in memory, whatever the disk size.
 * Parent data of clones is included, so a full sync of a clone is the whole visible image.
 */
final class RbdDiffExtents implements Iterator<Extent> {

    static final long WINDOW = 256L << 20;

    private final RbdImage image;
    private final String fromSnapshot;
    private final long imageSize;
    private final String description;
    private final ArrayDeque<Extent> buffered = new ArrayDeque<>();
    private long nextWindow;

    /** @param fromSnapshot the base snapshot, or null for everything allocated */
    RbdDiffExtents(RbdImage image, String fromSnapshot, long imageSize, String description) {
        this.image = image;
        this.fromSnapshot = fromSnapshot;
        this.imageSize = imageSize;
        this.description = description;
    }

    @Override
    public boolean hasNext() {
        while (buffered.isEmpty() && nextWindow < imageSize) {
            long length = Math.min(WINDOW, imageSize - nextWindow);
            scan(nextWindow, length);
            nextWindow += length;
        }
        return !buffered.isEmpty();
    }

    @Override
    public Extent next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return buffered.poll();
    }

    private void scan(long offset, long length) {
        LibRbd.DiffCallback callback = (long off, NativeLong len, int exists, Pointer arg) -> {
            buffered.add(new Extent(off, len.longValue(), exists != 0));
            return 0;
        };
        int r = LibRbd.INSTANCE.rbd_diff_iterate2(image.getPointer(), fromSnapshot, offset, length, (byte) 1,
                (byte) 0, callback, null);
        if (r < 0) {
            buffered.clear();
            throw CephErrors.failure("rbd_diff_iterate2 failed on " + description + " from "
                    + (fromSnapshot == null ? "the beginning" : "snapshot " + fromSnapshot) + " at offset " + offset
                    + ": " + CephErrors.describe(r), r, null);
        }
        // librbd reports extents per object; keep them in disk order for the chunk grid.
        if (buffered.size() > 1) {
            Extent[] sorted = buffered.toArray(new Extent[0]);
            Arrays.sort(sorted, Comparator.comparingLong(Extent::offset));
            buffered.clear();
            Collections.addAll(buffered, sorted);
        }
    }
}
