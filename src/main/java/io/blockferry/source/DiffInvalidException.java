package io.blockferry.source;

/** Sampled verification found bytes that changed although the diff said they did not. */
public class DiffInvalidException extends RuntimeException {

    private final long checked;

    public DiffInvalidException(String message, long checked) {
        super(message);
        this.checked = checked;
    }

    public long checked() {
        return checked;
    }
}
