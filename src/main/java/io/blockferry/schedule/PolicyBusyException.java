package io.blockferry.schedule;

import io.blockferry.BlockferryException;

/** A run asked for while the policy's previous run is not finished. */
public final class PolicyBusyException extends BlockferryException {

    public PolicyBusyException(String message) {
        super(message + "; try again when it is done (GET /api/tasks)");
    }
}
