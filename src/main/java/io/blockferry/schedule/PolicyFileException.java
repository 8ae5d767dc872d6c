package io.blockferry.schedule;

import io.blockferry.BlockferryException;

/** A policy file that cannot be used; the message names the file, the line and the key. */
public final class PolicyFileException extends BlockferryException {

    public PolicyFileException(String message) {
        super(message);
    }

    public PolicyFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
