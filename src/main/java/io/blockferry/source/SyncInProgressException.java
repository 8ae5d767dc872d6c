package io.blockferry.source;

import io.blockferry.events.Causes;

import io.blockferry.TransientFailure;

/** The volume's previous generation is still waiting for its ack; retried with backoff. */
public class SyncInProgressException extends TransientFailure {
    public SyncInProgressException(String message) {
        super(message);
    }

    @Override
    public Causes failureCause() {
        return Causes.SYNC_IN_PROGRESS;
    }
}
