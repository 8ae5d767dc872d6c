package io.blockferry.schedule;

/** A policy file that cannot be used; the message names the file, the line and the key. */
public final class PolicyFileException extends RuntimeException {

    public PolicyFileException(String message) {
        super(message);
    }

    public PolicyFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
