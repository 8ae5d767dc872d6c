package io.blockferry.transport;

import java.util.TreeSet;

/**
 * One partition's offsets between the consumer and the writers: a record is pending from when it
 * is handed to a writer until what it did is durable. The offset that may be committed is the
 * oldest pending one, or one past the newest handed out when none is pending, so a commit never
 * passes a record whose effect could still be lost.
 */
final class PartitionOffsets {

    private final TreeSet<Long> pending = new TreeSet<>();
    private long next;
    private long committed;

    /** @param position the consumer's position when the partition was assigned */
    PartitionOffsets(long position) {
        this.next = position;
        this.committed = position;
    }

    synchronized void handedOut(long offset) {
        pending.add(offset);
        next = Math.max(next, offset + 1);
    }

    /** A record that needed no writer (dead-lettered at once). */
    synchronized void settled(long offset) {
        next = Math.max(next, offset + 1);
    }

    synchronized void durable(long offset) {
        pending.remove(offset);
    }

    synchronized boolean allDurable() {
        return pending.isEmpty();
    }

    /** The offset to commit now, or -1 when it has not moved since the last commit. */
    synchronized long toCommit() {
        long committable = pending.isEmpty() ? next : pending.first();
        return committable > committed ? committable : -1;
    }

    synchronized void committed(long offset) {
        committed = Math.max(committed, offset);
    }
}
