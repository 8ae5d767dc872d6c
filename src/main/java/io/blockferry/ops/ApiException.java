package io.blockferry.ops;

/** A request the API refuses, with the HTTP status and a message saying what is wrong. */
public class ApiException extends RuntimeException {

    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
