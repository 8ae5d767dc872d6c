package io.blockferry.transport;

/** A record on the chunk topic that is not a well-formed Blockferry record. */
public class MalformedRecordException extends RuntimeException {
    public MalformedRecordException(String message) {
        super(message);
    }
}
