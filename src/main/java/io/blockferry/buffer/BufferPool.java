package io.blockferry.buffer;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A fixed set of direct buffers of one size, shared by every volume in flight: what the data path
 * holds in memory is bounded by this pool's size, not by the number or size of the volumes. Direct
 * buffers keep the bytes off the heap (no humongous arrays for G1), librbd reads into them, and
 * files are written from them without a copy.
 *
 * <p>Buffers are made lazily, up to the pool's count, and never freed while the pool lives.
 */
public final class BufferPool {

    private final int bufferSize;
    private final int capacity;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private int made;

    /**
     * @param bufferSize the size of each buffer (the largest piece read or received at once)
     * @param totalBytes the memory the pool may use; at least one buffer is always made
     */
    public BufferPool(int bufferSize, long totalBytes) {
        if (bufferSize <= 0) {
            throw new IllegalArgumentException("buffer size must be positive");
        }
        this.bufferSize = bufferSize;
        this.capacity = (int) Math.max(1, Math.min(Integer.MAX_VALUE, totalBytes / bufferSize));
    }

    public int bufferSize() {
        return bufferSize;
    }

    public int capacity() {
        return capacity;
    }

    /** Buffers handed out and not yet returned. */
    public synchronized int inUse() {
        return made - free.size();
    }

    /** A buffer if one is free right now, else null. */
    public PooledBuffer tryAcquire() {
        ByteBuffer buffer = take();
        return buffer == null ? null : new PooledBuffer(this, buffer);
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
                    return new PooledBuffer(this, buffer);
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

    synchronized void give(ByteBuffer buffer) {
        free.push(buffer);
        notifyAll();
    }
}
