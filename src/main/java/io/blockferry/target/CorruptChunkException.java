package io.blockferry.target;

import io.blockferry.events.Causes;

import io.blockferry.BlockferryException;

/**
 * A chunk record failed its checksum or bounds check; it is dead-lettered, never applied. It
 * carries the record's frame, re-encoded before its memory was given back, for the dead letter.
 */
public class CorruptChunkException extends BlockferryException {

    public static final String CAUSE = Causes.CHUNK_CORRUPT.wire();

    private final transient byte[] frame;

    public CorruptChunkException(String message) {
        this(message, null);
    }

    public CorruptChunkException(String message, byte[] frame) {
        super(message);
        this.frame = frame;
    }

    /** The record as it arrived, or null. */
    public byte[] frame() {
        return frame;
    }

    @Override
    public Causes failureCause() {
        return Causes.CHUNK_CORRUPT;
    }
}
