package io.blockferry.source;

import io.blockferry.events.Causes;

import io.blockferry.BlockferryException;

/** A pre- or post-snapshot hook failed or timed out, and its policy says to abort the sync. */
public final class HookFailedException extends BlockferryException {

    public HookFailedException(String message) {
        super(message);
    }

    @Override
    public Causes failureCause() {
        return Causes.HOOK_FAILED;
    }
}
