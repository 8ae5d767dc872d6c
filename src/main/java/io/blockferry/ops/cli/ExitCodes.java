package io.blockferry.ops.cli;

/** The exit codes of every {@code blockferry} command, as listed in each command's --help and the README. */
public final class ExitCodes {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    /** The benchmark only: no replica differed, but a row failed. */
    public static final int ROW_FAILED = 3;
    public static final int UNREACHABLE = 4;

    static final String HEADING = "%nExit codes:%n";
    static final String OK_LINE = "0:done";
    static final String FAILED_LINE = "1:failed: the API answered an error (its message and HTTP status are printed), "
            + "or the work failed (a sync, a restore, the demo's checksums)";
    static final String USAGE_LINE = "2:usage: an unknown command or option, or a missing or wrong argument";
    static final String ROW_FAILED_LINE = "3:benchmark only: no replica differed, but a row failed";
    static final String UNREACHABLE_LINE = "4:no Blockferry answers at BLOCKFERRY_URL, or no API token was found";

    private ExitCodes() {
    }
}
