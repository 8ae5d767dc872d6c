package io.blockferry.source.hcs;

import io.blockferry.events.Causes;

/** Dorado answered an error code (HTTP 200 with {@code error.code != 0}). */
public class DoradoException extends HcsException {

    /** The snapshot (or base) asked for does not exist. */
    public static final long SNAPSHOT_MISSING = 1077937880L;
    public static final long LUN_MISSING = 1077936859L;
    public static final long OBJECT_MISSING = 1077948996L;
    public static final long PARAMETER_ERROR = 50331651L;
    public static final long BUSY = 1077949006L;

    private final long number;

    public DoradoException(String message, long number) {
        super(message, Causes.HCS_ERROR, Long.toString(number));
        this.number = number;
    }

    public long number() {
        return number;
    }

    public boolean missing() {
        return number == SNAPSHOT_MISSING || number == LUN_MISSING || number == OBJECT_MISSING;
    }
}
