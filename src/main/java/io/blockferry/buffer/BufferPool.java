package io.blockferry.buffer;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Memory for the data path, shared by every volume in flight: what it holds is bounded by this
 * pool, not by the number or size of the volumes. Large pieces live in direct buffers of one size
 * (no humongous arrays for G1; librbd reads into them, files are written from them without a
 * copy), made lazily up to the pool's count and reused. Small pieces (under a quarter of a
 * buffer) get a heap copy instead, counted against a byte budget of the same total, so a run of
 * small records neither pins whole buffers nor goes unbounded.
 */
public final class BufferPool {

    private final int bufferSize;
    private final int capacity;
    private final long heapBudget;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private int made;
    private long heapUsed;

    /**
     * @param bufferSize the size of each direct buffer (the largest piece read or received at once)
     * @param totalBytes the memory of the direct buffers, and separately of the small heap copies;
     *                   at least one buffer is always made
     */
    public BufferPool(int bufferSize, long totalBytes) {
        if (bufferSize <= 0) {
            throw new IllegalArgumentException("buffer size must be positive");
        }
        this.bufferSize = bufferSize;
        this.capacity = (int) Math.max(1, Math.min(Integer.MAX_VALUE, totalBytes / bufferSize));
        this.heapBudget = Math.max(bufferSize, totalBytes);
    }

    public int bufferSize() {
        return bufferSize;
    }

    public int capacity() {
        return capacity;
    }

    /** Direct buffers handed out and not yet returned. */
    public synchronized int inUse() {
        return made - free.size();
    }

    /** Whether a piece of {@code length} bytes would be given memory now. */
    public synchronized boolean hasRoomFor(int length) {
        return small(length) ? heapUsed + length <= heapBudget : !free.isEmpty() || made < capacity;
    }

    /** A whole direct buffer if one is free right now, else null. */
    public PooledBuffer tryAcquire() {
        ByteBuffer buffer = take();
        return buffer == null ? null : new PooledBuffer(this, buffer, false);
    }

    /**
     * Memory for a piece of {@code length} bytes (at most the buffer size) if there is room right
     * now, else null: a direct buffer for a large piece, a heap copy for a small one.
     */
    public PooledBuffer tryAcquire(int length) {
        if (length > bufferSize) {
            throw new IllegalArgumentException(length + " bytes do not fit a buffer of " + bufferSize);
        }
        if (!small(length)) {
            return tryAcquire();
        }
        synchronized (this) {
            if (heapUsed + length > heapBudget) {
                return null;
            }
            heapUsed += length;
        }
        return new PooledBuffer(this, ByteBuffer.allocate(length), true);
    }

    private boolean small(int length) {
        return length < bufferSize / 4;
    }

    /**
     * Waits up to {@code timeout} for a free buffer.
     *
     * @return the buffer, or null when none became free in time
     */
    public PooledBuffer acquire(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (this) {
            while (true) {
                ByteBuffer buffer = take();
                if (buffer != null) {
                    return new PooledBuffer(this, buffer, false);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    private synchronized ByteBuffer take() {
        ByteBuffer buffer = free.poll();
        if (buffer == null && made < capacity) {
            buffer = ByteBuffer.allocateDirect(bufferSize);
            made++;
        }
        if (buffer != null) {
            buffer.clear();
        }
        return buffer;
    }

    synchronized void give(ByteBuffer buffer, boolean heap) {
        if (heap) {
            heapUsed -= buffer.capacity();
        } else {
            free.push(buffer);
        }
        notifyAll();
    }
}
