package io.blockferry.ceph;

import com.ceph.rbd.RbdImage;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Writes to one open RBD image with up to {@code window} requests in flight (librbd aio), so an
 * apply keeps the OSDs busy instead of waiting for each write in turn. The buffers it hands out are
 * its own direct buffers, allocated on first use (at most {@code window} of {@code bufferBytes}),
 * and must not be touched once written until {@link #buffer()} hands them out again. Not
 * thread-safe: one writer uses it, and {@link #close()} waits for every request before the
 * buffers can be freed, so librbd never reads freed memory.
 */
public final class AioWrites implements AutoCloseable {

    private record InFlight(Pointer completion, ByteBuffer buffer, long offset, long length) {
    }

    private final RbdImage image;
    private final String what;
    private final int window;
    private final int bufferBytes;
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private int allocated;
    private RuntimeException failure;

    /** @param what the image, for messages ("DR image dr-volumes/x") */
    public AioWrites(RbdImage image, String what, int window, int bufferBytes) {
        if (window < 1) {
            throw new IllegalArgumentException("the aio window is " + window + ": it must be at least 1");
        }
        this.image = image;
        this.what = what;
        this.window = window;
        this.bufferBytes = bufferBytes;
    }

    public int bufferBytes() {
        return bufferBytes;
    }

    /** A cleared buffer to fill from position 0; waits for the oldest request when all buffers are in flight. */
    public ByteBuffer buffer() {
        throwIfFailed();
        if (free.isEmpty() && allocated < window) {
            free.add(ByteBuffer.allocateDirect(bufferBytes));
            allocated++;
        }
        while (free.isEmpty()) {
            completeOldest();
            throwIfFailed();
        }
        return free.poll().clear();
    }

    /** Writes what was put into {@code filled} (a buffer of {@link #buffer()}, from 0 to its position) at {@code offset}. */
    public void write(long offset, ByteBuffer filled) {
        int length = filled.position();
        Pointer completion = completion();
        int r = LibRbd.INSTANCE.rbd_aio_write2(image.getPointer(), offset, new NativeLong(length),
                Native.getDirectBufferPointer(filled), completion, 0);
        if (r < 0) {
            LibRbd.INSTANCE.rbd_aio_release(completion);
            free.add(filled);
            throw failure("write", offset, length, r);
        }
        inFlight.add(new InFlight(completion, filled, offset, length));
    }

    /** Makes {@code [offset, offset + length)} read as zeros, deallocating the whole objects in it. */
    public void zeroes(long offset, long length) {
        throwIfFailed();
        while (inFlight.size() >= window) {
            completeOldest();
        }
        Pointer completion = completion();
        int r = LibRbd.INSTANCE.rbd_aio_write_zeroes(image.getPointer(), offset, new NativeLong(length), completion,
                0, 0);
        if (r < 0) {
            LibRbd.INSTANCE.rbd_aio_release(completion);
            throw failure("zero", offset, length, r);
        }
        inFlight.add(new InFlight(completion, null, offset, length));
    }

    /** Waits for every request, then flushes the image: what was written is durable. Throws the first failure. */
    public void flush() {
        completeAll();
        throwIfFailed();
        ImageIo.flush(image, what);
    }

    /** Waits for what is still in flight (its outcome no longer matters) so the buffers can be freed. */
    @Override
    public void close() {
        completeAll();
        free.clear();
    }

    private Pointer completion() {
        PointerByReference ref = new PointerByReference();
        int r = LibRbd.INSTANCE.rbd_aio_create_completion(null, null, ref);
        if (r < 0) {
            throw CephErrors.failure("librbd could not make an aio completion for " + what + ": "
                    + CephErrors.describe(r), -r, null);
        }
        return ref.getValue();
    }

    private void completeAll() {
        while (!inFlight.isEmpty()) {
            completeOldest();
        }
    }

    private void completeOldest() {
        InFlight op = inFlight.poll();
        LibRbd.INSTANCE.rbd_aio_wait_for_complete(op.completion());
        long r = LibRbd.INSTANCE.rbd_aio_get_return_value(op.completion()).longValue();
        LibRbd.INSTANCE.rbd_aio_release(op.completion());
        if (op.buffer() != null) {
            free.add(op.buffer());
        }
        if (r < 0 && failure == null) {
            failure = failure(op.buffer() == null ? "zero" : "write", op.offset(), op.length(), r);
        }
    }

    private void throwIfFailed() {
        if (failure != null) {
            completeAll();
            throw failure;
        }
    }

    private RuntimeException failure(String op, long offset, long length, long r) {
        return ImageIo.writeFailure(what, op, offset, length, r);
    }
}
