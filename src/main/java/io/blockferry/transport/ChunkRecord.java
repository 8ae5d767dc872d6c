package io.blockferry.transport;

/**
 * One record of a generation on the chunk topic. A generation is BEGIN, then DATA and ZERO
 * records in offset order, then END. {@code seq} numbers the records of one generation from 0
 * (BEGIN), so a writer can tell a redelivery from a gap.
 */
public sealed interface ChunkRecord {

    String volumeId();

    long generation();

    long seq();

    /**
     * Opens a generation: what is being sent, and what it applies on top of. {@code keepPoints} is
     * how many recovery points the target keeps of the volume (the policy's retention); 0 leaves it
     * to the target's {@code blockferry.target.keep-points}.
     */
    record Begin(String volumeId, long generation, SyncMode mode, String cause, long imageSize, int chunkSize,
                 String snapshot, String baseSnapshot, String imageId, long createdAtMillis, int keepPoints)
            implements ChunkRecord {
        public long seq() {
            return 0;
        }
    }

    /** Changed bytes at an offset. The payload never crosses a chunk-grid boundary. */
    record Data(String volumeId, long generation, long seq, long offset, int crc32c, byte[] payload)
            implements ChunkRecord {
        public int length() {
            return payload.length;
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
