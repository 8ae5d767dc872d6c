package io.blockferry.access;

/** An export that cannot be made or found; {@link #kind} says whether the caller asked for something absent. */
public final class AccessException extends RuntimeException {

    /** REFUSED: a path that leaves its filesystem; INVALID: a request that cannot be served (a directory to download). */
    public enum Kind { NOT_FOUND, UNAVAILABLE, FAILED, REFUSED, INVALID }

    private final Kind kind;

    public AccessException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public AccessException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
