package io.blockferry.source.hcs;

import io.blockferry.TransientFailure;
import io.blockferry.events.Causes;

/** HCS or Dorado could not be reached, was busy or throttled: it may pass, so the step is retried. */
public class HcsUnavailableException extends TransientFailure {

    public HcsUnavailableException(String message) {
        super(message);
    }

    @Override
    public Causes failureCause() {
        return Causes.HCS_UNAVAILABLE;
    }
}
