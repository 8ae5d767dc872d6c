package io.blockferry.source;

/** A Ceph failure that may pass (a timeout, the cluster busy); the sync is retried with backoff. */
public class CephTransientException extends CephException {
    public CephTransientException(String message, int errno, Throwable cause) {
        super(message, errno, cause);
    }
}
