package io.blockferry;

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
}
