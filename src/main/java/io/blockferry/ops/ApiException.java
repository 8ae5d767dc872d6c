package io.blockferry.ops;

import io.blockferry.source.VolumeRef;

/** A request the API refuses, with the HTTP status and a message saying what is wrong. */
public class ApiException extends RuntimeException {

    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The volume id of an API path's pool and image, or 400 naming what is wrong. */
    public static String volumeId(String pool, String image) {
        try {
            return VolumeRef.parse(pool + "/" + image).toString();
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        }
    }

    public int status() {
        return status;
    }
}
