package io.blockferry.transport;

import io.blockferry.BlockferryException;
import io.blockferry.events.Causes;

/**
 * A record on one of Blockferry's topics that is not a well-formed Blockferry record. It names
 * its cause from the closed list ({@link Causes}), which the dead letter and its event carry.
 */
public class MalformedRecordException extends BlockferryException {

    private final Causes cause;

    public MalformedRecordException(String message) {
        this(message, Causes.RECORD_MALFORMED);
    }

    public MalformedRecordException(String message, Causes cause) {
        super(message);
        this.cause = cause;
    }

    @Override
    public Causes failureCause() {
        return cause;
    }
}
