package io.blockferry.source;

/** The volume's previous generation is still waiting for its ack; retried with backoff. */
public class SyncInProgressException extends SyncFailedException {
    public SyncInProgressException(String message) {
        super(message);
    }
}
