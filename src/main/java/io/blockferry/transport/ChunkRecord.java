package io.blockferry.transport;

import io.blockferry.buffer.PooledBuffer;
import java.nio.ByteBuffer;

/**
 * One record of a generation on the chunk topic. A generation is BEGIN, then DATA and ZERO
 * records in offset order, then END. {@code seq} numbers the records of one generation from 0
 * (BEGIN), so a writer can tell a redelivery from a gap.
 */
public sealed interface ChunkRecord {

    String volumeId();

    long generation();

    long seq();

    /** Gives back the pooled memory this record's payload lives in, once; records without pooled memory ignore it. */
    default void release() {
    }

    /**
     * Opens a generation: what is being sent, and what it applies on top of. {@code keepPoints} is
     * how many recovery points the target keeps of the volume (the policy's retention); 0 leaves it
     * to the target's {@code blockferry.target.keep-points}. {@code changedBytes} is the length of
     * the changed ranges the DATA and ZERO records will cover (0 when the source does not know).
     */
    /**
     * @param sourceSite the source site that made the generation (version 5): the site its acks and
     *                   resync requests are addressed to; empty from older sources
     */
    record Begin(String volumeId, long generation, SyncMode mode, String cause, long imageSize, int chunkSize,
                 String snapshot, String baseSnapshot, String imageId, long createdAtMillis, int keepPoints,
                 long changedBytes, String sourceSite) implements ChunkRecord {

        public Begin {
            sourceSite = sourceSite == null ? "" : sourceSite;
        }

        public Begin(String volumeId, long generation, SyncMode mode, String cause, long imageSize, int chunkSize,
                     String snapshot, String baseSnapshot, String imageId, long createdAtMillis, int keepPoints,
                     long changedBytes) {
            this(volumeId, generation, mode, cause, imageSize, chunkSize, snapshot, baseSnapshot, imageId,
                    createdAtMillis, keepPoints, changedBytes, "");
        }

        /** The same BEGIN from a named source site. */
        public Begin fromSite(String site) {
            return new Begin(volumeId, generation, mode, cause, imageSize, chunkSize, snapshot, baseSnapshot, imageId,
                    createdAtMillis, keepPoints, changedBytes, site);
        }

        public Begin(String volumeId, long generation, SyncMode mode, String cause, long imageSize, int chunkSize,
                     String snapshot, String baseSnapshot, String imageId, long createdAtMillis, int keepPoints) {
            this(volumeId, generation, mode, cause, imageSize, chunkSize, snapshot, baseSnapshot, imageId,
                    createdAtMillis, keepPoints, 0);
        }

        public long seq() {
            return 0;
        }
    }

    /**
     * Changed bytes at an offset. The payload never crosses a chunk-grid boundary. It is a read-only
     * view, usually of a pooled direct buffer ({@code owner}), which {@link #release()} gives back
     * once the record was written or sent; {@code owner} is null for payloads on the heap.
     */
    record Data(String volumeId, long generation, long seq, long offset, int crc32c, ByteBuffer payload,
                PooledBuffer owner) implements ChunkRecord {

        public Data(String volumeId, long generation, long seq, long offset, int crc32c, byte[] payload) {
            this(volumeId, generation, seq, offset, crc32c, ByteBuffer.wrap(payload).asReadOnlyBuffer(), null);
        }

        public int length() {
            return payload.remaining();
        }

        /** A copy of the payload: for tests and small tools, never on the data path. */
        public byte[] payloadBytes() {
            byte[] bytes = new byte[payload.remaining()];
            payload.duplicate().get(bytes);
            return bytes;
        }

        @Override
        public void release() {
            if (owner != null) {
                owner.release();
            }
        }
    }

    /** A changed range that now reads as zeros: sent without payload. */
    record Zero(String volumeId, long generation, long seq, long offset, long length) implements ChunkRecord {
    }

    /** Closes a generation with what the writer must have received to commit it. */
    record End(String volumeId, long generation, long seq, long dataChunks, long zeroChunks, long dataBytes,
               long zeroBytes, byte[] manifestDigest) implements ChunkRecord {
    }
}
