package io.blockferry.source;

import io.blockferry.BlockferryException;
import io.blockferry.events.Causes;

/**
 * The backend has no room for this volume's sync right now (HCS: no free disk slot on the proxy,
 * {@code Ecs.0042}). Not a failure of the volume: the generation is undone and its task goes back
 * to the work queue, where the queue's maximum wait still applies.
 */
public class SourceBusyException extends BlockferryException {

    private final Causes cause;

    public SourceBusyException(String message, Causes cause) {
        super(message);
        this.cause = cause;
    }

    @Override
    public Causes failureCause() {
        return cause;
    }
}
