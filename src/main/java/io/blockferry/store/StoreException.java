package io.blockferry.store;

import io.blockferry.events.Causes;

import io.blockferry.BlockferryException;

/** The embedded state store failed; the message names the file. */
public class StoreException extends BlockferryException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public Causes failureCause() {
        return Causes.STATE_STORE_FAILED;
    }
}
