package io.blockferry.ops;

import io.blockferry.BlockferryException;

import io.blockferry.source.VolumeId;

/** A request the API refuses, with the HTTP status and a message saying what is wrong. */
public class ApiException extends BlockferryException {

    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The volume id of an API path's pool and image, or 400 naming what is wrong. */
    public static String volumeId(String pool, String image) {
        try {
            return VolumeId.parse(pool + "/" + image).toString();
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        }
    }

    /** A volume id from the API's path, where it is URL-encoded in one segment ({@code hcs%3Aproject%2Fdisk}). */
    public static String volumeId(String encoded) {
        try {
            return VolumeId.parse(java.net.URLDecoder.decode(encoded, java.nio.charset.StandardCharsets.UTF_8))
                    .toString();
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        }
    }

    public int status() {
        return status;
    }
}
