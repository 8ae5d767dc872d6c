package io.blockferry.transport;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What a target holds of a volume, published as JSON on the chunk-sums topic (compacted): the
 * SHA-256 of every chunk of its replica at its newest point. A volume has one HEAD record (key: the
 * volume id) naming the point, the grid and the digest of all sums, and one SEGMENT record per
 * {@code segmentChunks} chunks (key: volume id, '#', segment number) carrying those chunks' sums.
 * A segment that did not change since an older point keeps that point's generation; the digest in
 * the HEAD says whether the segments a reader holds add up to the point the HEAD names.
 *
 * <p>A source uses them for a checksum resync: at a chain break it reads its whole volume and
 * sends only the chunks whose SHA-256 differs from these.
 *
 * @param kind          HEAD or SEGMENT
 * @param sourceSite    the site whose chain the point belongs to (the consumer of another site ignores it)
 * @param chunkSize     the grid: chunk {@code i} is the bytes [{@code i * chunkSize}, +chunkSize) (the last shorter)
 * @param segment       the segment's number (-1 in a HEAD)
 * @param segments      how many segments the point has (in a HEAD)
 * @param sums          the segment's sums, base64 of 32 bytes per chunk (SEGMENT only)
 * @param digest        SHA-256, in hex, of all sums of the point in chunk order (HEAD only)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChunkSumsRecord(int version, Kind kind, String volumeId, String sourceSite, long generation,
                              String snapshot, int chunkSize, long imageSize, int segment, int segments,
                              String sums, String digest) {

    public static final int VERSION = 1;
    /** Chunks per SEGMENT record: 8192 sums are 256 KiB (342 KiB of base64), well under Kafka's 1 MiB. */
    public static final int SEGMENT_CHUNKS = 8192;
    public static final int SUM_BYTES = 32;

    public enum Kind {
        HEAD,
        SEGMENT
    }

    public static ChunkSumsRecord head(String volumeId, String sourceSite, long generation, String snapshot,
                                       int chunkSize, long imageSize, int segments, String digest) {
        return new ChunkSumsRecord(VERSION, Kind.HEAD, volumeId, sourceSite, generation, snapshot, chunkSize,
                imageSize, -1, segments, null, digest);
    }

    public static ChunkSumsRecord segment(String volumeId, String sourceSite, long generation, String snapshot,
                                          int chunkSize, long imageSize, int segment, byte[] sums) {
        return new ChunkSumsRecord(VERSION, Kind.SEGMENT, volumeId, sourceSite, generation, snapshot, chunkSize,
                imageSize, segment, 0, java.util.Base64.getEncoder().encodeToString(sums), null);
    }

    /** The Kafka key: compaction keeps the newest HEAD and the newest of each segment. */
    @JsonIgnore
    public String key() {
        return kind == Kind.HEAD ? volumeId : volumeId + "#" + segment;
    }

    @JsonIgnore
    public byte[] sumBytes() {
        return sums == null ? new byte[0] : java.util.Base64.getDecoder().decode(sums);
    }

    /** How many chunks a volume of {@code imageSize} bytes has on a grid of {@code chunkSize}. */
    public static long chunks(long imageSize, int chunkSize) {
        return (imageSize + chunkSize - 1) / chunkSize;
    }

    /** How many segments a volume of {@code chunks} chunks has. */
    public static int segments(long chunks) {
        return (int) ((chunks + SEGMENT_CHUNKS - 1) / SEGMENT_CHUNKS);
    }

    /** Why this record cannot be used, or null. */
    @JsonIgnore
    public String problem() {
        if (version != VERSION) {
            return "chunk-sums record version " + version + " (this release reads " + VERSION + ")";
        }
        if (kind == null || volumeId == null || snapshot == null || chunkSize <= 0 || imageSize < 0) {
            return "chunk-sums record without kind, volume, snapshot or grid";
        }
        if (kind == Kind.SEGMENT) {
            long chunks = chunks(imageSize, chunkSize);
            long expected = Math.min(SEGMENT_CHUNKS, chunks - (long) segment * SEGMENT_CHUNKS) * SUM_BYTES;
            if (segment < 0 || expected <= 0 || sums == null || sumBytes().length != expected) {
                return "chunk-sums segment " + segment + " of " + volumeId + " has the wrong length";
            }
        } else if (digest == null || segments != segments(chunks(imageSize, chunkSize))) {
            return "chunk-sums head of " + volumeId + " without digest or with the wrong segment count";
        }
        return null;
    }
}
