package io.blockferry.source.hcs;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.changedblock.Extent;
import io.blockferry.events.Causes;
import io.blockferry.source.ChainBrokenException;
import io.blockferry.source.ChangedBlocks;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.NoSuchElementException;

/**
 * The changed ranges of a Dorado snapshot from its array bitmaps (spec §2.6): {@code get_unshared}
 * against the base snapshot, or {@code get_alloc} for a full sync (so holes are never read), one
 * segment of at most 256 MiB at a time, decoded and merged into byte extents. Only one segment's
 * extents are in memory; a run of set chunks that crosses a segment boundary is one extent.
 */
final class DoradoChangedBlocks implements ChangedBlocks {

    private final DoradoSession dorado;
    private final HcsSettings settings;
    private final String lunId;
    private final String baseLunId;
    private final long size;
    private final long chunk;
    private final long segment;
    private final String what;
    private final ArrayDeque<Extent> ready = new ArrayDeque<>();
    private long next;
    private long runStart = -1;
    private long runEnd = -1;

    /**
     * @param baseLunId the base snapshot's array id, or null for every allocated range
     * @param chunk     the bitmap granularity the array reports for the snapshot
     */
    DoradoChangedBlocks(DoradoSession dorado, HcsSettings settings, String lunId, String baseLunId, long size,
                        long chunk, String what) {
        this.dorado = dorado;
        this.settings = settings;
        this.lunId = lunId;
        this.baseLunId = baseLunId;
        this.size = size;
        this.chunk = chunk;
        this.segment = Math.max(chunk, settings.bitmapSegmentBytes() / chunk * chunk);
        this.what = what;
    }

    @Override
    public boolean hasNext() {
        while (ready.isEmpty() && next < size) {
            readSegment();
        }
        if (ready.isEmpty() && runStart >= 0) {
            ready.add(new Extent(runStart, runEnd - runStart, true));
            runStart = -1;
        }
        return !ready.isEmpty();
    }

    @Override
    public Extent next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return ready.poll();
    }

    private void readSegment() {
        long offset = next;
        long length = Math.min(segment, size - offset);
        if (!settings.clipLastChunk()) {
            length = (length + chunk - 1) / chunk * chunk;
        }
        String call = (baseLunId == null ? "lun_bitmap/get_alloc?" : "lun_bitmap/get_unshared?BASELUNID=" + baseLunId
                + "&") + "LUNID=" + lunId + "&BITMAPCHUNKSIZE=" + chunk + "&SEGMENTLENGTHBYTES=" + length
                + "&SEGMENTSTARTOFFSETBYTES=" + offset;
        String segmentWhat = what + ", bytes " + offset + "+" + length;
        JsonNode data;
        try {
            data = dorado.get(call, segmentWhat);
        } catch (DoradoException e) {
            if (baseLunId != null && e.number() == DoradoException.SNAPSHOT_MISSING) {
                throw new ChainBrokenException(segmentWhat + ": the array no longer has the base snapshot (LUN "
                        + baseLunId + ", " + e.number() + ") although HCS still lists it", Causes.BASE_SNAPSHOT_MISSING);
            }
            throw e;
        }
        int chunks = Math.toIntExact((length + chunk - 1) / chunk);
        if (data.has("SCANNEDCHUNKS") && data.path("SCANNEDCHUNKS").asLong() < chunks) {
            throw new HcsException(segmentWhat + ": the array scanned " + data.path("SCANNEDCHUNKS").asText()
                    + " of " + chunks + " chunks (a partial bitmap)", Causes.HCS_ERROR);
        }
        BitSet set = ChunkBitmap.decode(data.path("CHUNKBITMAP").asText(""), chunks, settings.bitmapEncoding(),
                settings.msbFirst(), segmentWhat);
        for (int i = set.nextSetBit(0); i >= 0; i = set.nextSetBit(i + 1)) {
            long start = offset + i * chunk;
            if (start >= size) {
                break;
            }
            long end = Math.min(start + chunk, size);
            if (runStart >= 0 && runEnd == start) {
                runEnd = end;
            } else {
                if (runStart >= 0) {
                    ready.add(new Extent(runStart, runEnd - runStart, true));
                }
                runStart = start;
                runEnd = end;
            }
        }
        next = offset + length;
    }

    @Override
    public void close() {
        ready.clear();
        next = size;
        runStart = -1;
    }
}
