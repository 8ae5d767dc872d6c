package io.blockferry.ceph;

import io.blockferry.events.Causes;

import io.blockferry.TransientFailure;

/** A Ceph failure that may pass (a timeout, the cluster busy); the sync is retried with backoff. */
public class CephTransientException extends TransientFailure {

    private final int errno;

    public CephTransientException(String message, int errno, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    /** The positive errno librados or librbd returned. */
    public int errno() {
        return errno;
    }

    @Override
    public Causes failureCause() {
        return Causes.CEPH_UNAVAILABLE;
    }
}
