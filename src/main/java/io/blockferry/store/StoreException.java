package io.blockferry.store;

/** The embedded state store failed; the message names the file. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
