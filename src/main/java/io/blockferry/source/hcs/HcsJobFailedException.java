package io.blockferry.source.hcs;

import io.blockferry.events.Causes;

/** An HCS job ended {@code FAIL}, vanished, or did not end within the job timeout. */
public class HcsJobFailedException extends HcsException {

    public HcsJobFailedException(String message, String code) {
        super(message, Causes.HCS_JOB_FAILED, code);
    }
}
