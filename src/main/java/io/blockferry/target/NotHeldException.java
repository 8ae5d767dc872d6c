package io.blockferry.target;

/**
 * A record of a volume this writer no longer holds: its partition moved to another writer of the
 * shared repository while the record waited. It is not applied (the other writer reads it again
 * from the last committed offset); nothing to report.
 */
public final class NotHeldException extends RuntimeException {

    public NotHeldException(String volumeId) {
        super("volume " + volumeId + " moved to another writer before this record was applied", null, false, false);
    }
}
