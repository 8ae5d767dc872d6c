package io.blockferry.restore;

/** A restore step failed; the message names the step, what was already made, and what to check. */
public class RestoreException extends RuntimeException {

    public RestoreException(String message) {
        super(message);
    }
}
