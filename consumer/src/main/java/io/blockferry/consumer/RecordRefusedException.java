package io.blockferry.consumer;

/** A record that fails a check of the contract; it is never applied. {@code cause} is the contract's name for it. */
public class RecordRefusedException extends RuntimeException {

    private final String cause;

    public RecordRefusedException(String cause, String message) {
        super(message);
        this.cause = cause;
    }

    public String cause() {
        return cause;
    }
}
