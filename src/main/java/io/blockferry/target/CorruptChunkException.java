package io.blockferry.target;

/** A chunk record failed its checksum or bounds check; it is dead-lettered, never applied. */
public class CorruptChunkException extends RuntimeException {

    public static final String CAUSE = "chunk-corrupt";

    public CorruptChunkException(String message) {
        super(message);
    }
}
