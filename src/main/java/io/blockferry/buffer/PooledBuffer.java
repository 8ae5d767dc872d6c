package io.blockferry.buffer;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Memory borrowed from a {@link BufferPool} (a direct buffer, or a small heap copy counted against
 * the pool's budget), shared by the records cut from it. Each holder
 * takes a reference with {@link #retain()} and gives it back with {@link #release()}; the buffer
 * returns to the pool when the last reference is released. The creator holds the first one.
 */
public final class PooledBuffer {

    private final BufferPool pool;
    private final ByteBuffer buffer;
    private final boolean heap;
    private final AtomicInteger references = new AtomicInteger(1);

    PooledBuffer(BufferPool pool, ByteBuffer buffer, boolean heap) {
        this.pool = pool;
        this.buffer = buffer;
        this.heap = heap;
    }

    /** The whole buffer, position 0 and limit its capacity; callers slice it. */
    public ByteBuffer buffer() {
        return buffer;
    }

    /** A read-only view of {@code [offset, offset + length)}. */
    public ByteBuffer slice(int offset, int length) {
        return buffer.asReadOnlyBuffer().position(offset).limit(offset + length).slice();
    }

    public PooledBuffer retain() {
        if (references.getAndIncrement() <= 0) {
            throw new IllegalStateException("a pooled buffer was retained after its release");
        }
        return this;
    }

    public void release() {
        int left = references.decrementAndGet();
        if (left == 0) {
            pool.give(buffer, heap);
        } else if (left < 0) {
            throw new IllegalStateException("a pooled buffer was released more often than retained");
        }
    }
}
