package io.blockferry;

/**
 * A failure that may pass by itself (a timeout, a busy or restarting backend, the previous
 * generation not yet acked). Every backend's retryable errors extend it, so the error routes retry
 * by this one type (with backoff) and never by a list of backend classes.
 */
public class TransientFailure extends BlockferryException {

    public TransientFailure(String message) {
        super(message);
    }

    public TransientFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
