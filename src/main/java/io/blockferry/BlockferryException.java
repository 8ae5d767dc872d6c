package io.blockferry;

import io.blockferry.events.Causes;

/**
 * The root of Blockferry's own failures. Each says what went wrong and what to do; the subclasses
 * say where (a backend, the configuration, a record, the state store).
 */
public class BlockferryException extends RuntimeException {

    public BlockferryException(String message) {
        super(message);
    }

    public BlockferryException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * This failure's cause on the closed list, published as {@code cause} of {@code sync-failed}
     * and of dead letters; null lets the failure it wraps say (see {@link Causes#of}).
     */
    public Causes failureCause() {
        return null;
    }
}
