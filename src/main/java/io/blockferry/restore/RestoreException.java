package io.blockferry.restore;

import io.blockferry.BlockferryException;

/** A restore step failed; the message names the step, what was already made, and what to check. */
public class RestoreException extends BlockferryException {

    public RestoreException(String message) {
        super(message);
    }
}
