package io.blockferry.source;

/** A volume's sync did not complete; the message says why and what happens next. */
public class SyncFailedException extends RuntimeException {
    public SyncFailedException(String message) {
        super(message);
    }

    public SyncFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether the failure may pass by itself (a Ceph or Kafka timeout, a broker restarting), looking
     * through the causes: such a sync is worth retrying later.
     */
    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CephTransientException || t instanceof org.apache.kafka.common.errors.RetriableException) {
                return true;
            }
        }
        return false;
    }

}
