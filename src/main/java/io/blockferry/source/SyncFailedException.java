package io.blockferry.source;

/** A volume's sync did not complete; the message says why and what happens next. */
public class SyncFailedException extends RuntimeException {
    public SyncFailedException(String message) {
        super(message);
    }

}
