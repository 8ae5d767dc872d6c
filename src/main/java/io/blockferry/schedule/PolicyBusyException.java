package io.blockferry.schedule;

/** A run asked for while the policy's previous run is not finished. */
public final class PolicyBusyException extends RuntimeException {

    public PolicyBusyException(String message) {
        super(message + "; try again when it is done (GET /api/tasks)");
    }
}
