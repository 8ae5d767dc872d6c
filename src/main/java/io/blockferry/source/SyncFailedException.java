package io.blockferry.source;

import io.blockferry.events.Causes;

import io.blockferry.BlockferryException;

/** A volume's sync did not complete; the message says why and what happens next. */
public class SyncFailedException extends BlockferryException {
    public SyncFailedException(String message) {
        super(message);
        this.mayPass = false;
    }

    private final boolean mayPass;

    /**
     * A failure that ends the generation for good, whatever its cause. The cause is kept as text
     * only: Camel's error handling matches an exception's causes too, and a retriable cause (a Kafka
     * timeout) must not make it retry a step whose stream is spent, which would send the rest of a
     * generation whose middle is lost.
     *
     * @param mayPass whether the cause may pass by itself (a timeout, a broker restarting): the whole
     *                sync is then tried again later
     */
    public SyncFailedException(String message, Throwable cause, boolean mayPass) {
        super(message + (cause == null ? "" : " (" + cause.getClass().getSimpleName() + ")"));
        this.mayPass = mayPass;
    }

    /**
     * Whether the failure may pass by itself (a Ceph or Kafka timeout, a broker restarting), looking
     * through the causes: such a sync is worth retrying later.
     */
    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof io.blockferry.TransientFailure
                    || t instanceof org.apache.kafka.common.errors.RetriableException
                    || t instanceof SyncFailedException f && f.mayPass) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Causes failureCause() {
        return Causes.SYNC_INCOMPLETE;
    }
}
