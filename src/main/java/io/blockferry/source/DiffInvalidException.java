package io.blockferry.source;

import io.blockferry.events.Causes;

import io.blockferry.BlockferryException;

/** Sampled verification found bytes that changed although the diff said they did not. */
public class DiffInvalidException extends BlockferryException {

    private final long checked;

    public DiffInvalidException(String message, long checked) {
        super(message);
        this.checked = checked;
    }

    public long checked() {
        return checked;
    }

    @Override
    public Causes failureCause() {
        return Causes.DIFF_INVALID;
    }
}
