package io.blockferry.source;

/** A pre- or post-snapshot hook failed or timed out, and its policy says to abort the sync. */
public final class HookFailedException extends RuntimeException {

    public HookFailedException(String message) {
        super(message);
    }
}
