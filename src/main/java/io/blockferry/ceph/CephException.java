package io.blockferry.ceph;

import io.blockferry.events.Causes;

import io.blockferry.BlockferryException;

/** A Ceph operation failed; the message names what, where, and what to do about it. */
public class CephException extends BlockferryException {

    private final int errno;

    public CephException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public CephException(String message, int errno, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    /** The positive errno librados or librbd returned, or 0. */
    public int errno() {
        return errno;
    }

    @Override
    public Causes failureCause() {
        return switch (errno) {
            case 2 -> Causes.IMAGE_NOT_FOUND; // ENOENT
            case 1, 13 -> Causes.CEPH_PERMISSION_DENIED; // EPERM, EACCES
            default -> Causes.CEPH_ERROR;
        };
    }
}
