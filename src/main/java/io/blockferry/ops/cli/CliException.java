package io.blockferry.ops.cli;

/** A CLI command that cannot be done; the message says why and what to do. */
public final class CliException extends RuntimeException {

    public CliException(String message) {
        super(message);
    }
}
