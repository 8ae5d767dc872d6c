package io.blockferry.source.hcs;

import io.blockferry.BlockferryException;
import io.blockferry.events.Causes;

/** HCS or Dorado refused a call, or answered something Blockferry cannot use; the message says which and why. */
public class HcsException extends BlockferryException {

    private final Causes cause;
    private final String code;

    public HcsException(String message, Causes cause) {
        this(message, cause, null);
    }

    public HcsException(String message, Causes cause, String code) {
        super(message);
        this.cause = cause;
        this.code = code;
    }

    /** The platform's error code ({@code Ecs.0042}, {@code EVS.5404}, a Dorado number), or null. */
    public String code() {
        return code;
    }

    @Override
    public Causes failureCause() {
        return cause;
    }
}
