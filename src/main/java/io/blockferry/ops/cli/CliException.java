package io.blockferry.ops.cli;

import io.blockferry.BlockferryException;

/** A CLI command that cannot be done; the message says why and what to do, the exit code what kind of failure. */
public final class CliException extends BlockferryException {

    private final int exitCode;

    public CliException(String message) {
        this(message, ExitCodes.FAILED);
    }

    CliException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    /** No Blockferry answers, or there is no token to talk to it with. */
    static CliException unreachable(String message) {
        return new CliException(message, ExitCodes.UNREACHABLE);
    }

    public int exitCode() {
        return exitCode;
    }
}
