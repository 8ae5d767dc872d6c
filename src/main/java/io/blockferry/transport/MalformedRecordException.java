package io.blockferry.transport;

import io.blockferry.BlockferryException;

/** A record on the chunk topic that is not a well-formed Blockferry record. */
public class MalformedRecordException extends BlockferryException {
    public MalformedRecordException(String message) {
        super(message);
    }
}
