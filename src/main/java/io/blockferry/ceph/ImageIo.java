package io.blockferry.ceph;

import com.ceph.rbd.RbdException;
import com.ceph.rbd.RbdImage;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/**
 * Synchronous reads and writes of an open RBD image. Direct buffers go straight to and from their
 * native memory ({@code rbd_read2}, {@code rbd_write2}): no byte array is filled and copied.
 */
public final class ImageIo {

    private ImageIo() {
    }

    /** Fills {@code into} from its position to its limit with the image's bytes at {@code offset}; neither moves. */
    public static void read(RbdImage image, long offset, ByteBuffer into, String what) {
        int length = into.remaining();
        long r;
        if (into.isDirect()) {
            Pointer at = Native.getDirectBufferPointer(into).share(into.position());
            r = LibRbd.INSTANCE.rbd_read2(image.getPointer(), offset, new NativeLong(length), at,
                    LibRbd.LIBRADOS_OP_FLAG_FADVISE_SEQUENTIAL).longValue();
        } else {
            byte[] bytes = new byte[length];
            r = image.read(offset, bytes, length);
            if (r == length) {
                into.duplicate().put(bytes);
            }
        }
        if (r != length) {
            int errno = r < 0 ? (int) -r : CephErrors.EIO;
            throw CephErrors.failure("reading " + length + " bytes at offset " + offset + " of " + what
                    + " failed: " + (r < 0 ? CephErrors.describe(errno) : "short read of " + r + " bytes"), errno, null);
        }
    }

    /** Writes {@code data} (position to limit, neither moves) at {@code offset} and waits for it. */
    public static void write(RbdImage image, long offset, ByteBuffer data, String what) {
        int length = data.remaining();
        if (data.isDirect()) {
            Pointer at = Native.getDirectBufferPointer(data).share(data.position());
            long r = LibRbd.INSTANCE.rbd_write2(image.getPointer(), offset, new NativeLong(length), at, 0).longValue();
            if (r != length) {
                throw writeFailure(what, "write", offset, length, r < 0 ? r : -CephErrors.EIO);
            }
            return;
        }
        byte[] bytes = new byte[length];
        data.duplicate().get(bytes);
        try {
            image.write(bytes, offset, length);
        } catch (RbdException e) {
            throw writeFailure(what, "write", offset, length, e.getReturnValue());
        }
    }

    /** Makes every write to the image durable. */
    public static void flush(RbdImage image, String what) {
        int r = LibRbd.INSTANCE.rbd_flush(image.getPointer());
        if (r < 0) {
            throw CephErrors.failure("flushing the writes to " + what + " failed: " + CephErrors.describe(r), -r, null);
        }
    }

    /** A failed write or zeroing of {@code length} bytes at {@code offset}; {@code r} is librbd's -errno. */
    static RuntimeException writeFailure(String what, String op, long offset, long length, long r) {
        int errno = (int) Math.abs(r);
        return CephErrors.failure("cannot " + op + " " + length + " bytes at offset " + offset + " of " + what + ": "
                + CephErrors.describe(errno), errno, null);
    }
}
