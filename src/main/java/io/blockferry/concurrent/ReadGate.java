package io.blockferry.concurrent;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The open/closed state of a reader shared by threads: reads run concurrently, a close waits for
 * the reads in progress and runs once, and a read after it is refused. What a reader closes (a
 * librbd image, a device, a file) is freed only when no read can still be using it.
 */
public final class ReadGate {

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final String what;
    private boolean closed;

    /** @param what the reader's subject, named when a read comes after the close */
    public ReadGate(String what) {
        this.what = what;
    }

    /**
     * Enters a read; every successful call must be followed by {@link #leave()} in a finally block.
     *
     * @throws IllegalStateException when the reader is closed
     */
    public void enter() {
        lock.readLock().lock();
        if (closed) {
            lock.readLock().unlock();
            throw new IllegalStateException("the reader of " + what + " is closed");
        }
    }

    public void leave() {
        lock.readLock().unlock();
    }

    /** Waits for the reads in progress, then runs {@code closing} if this is the first close. */
    public void close(Runnable closing) {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                closing.run();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
