package io.blockferry.ceph;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/** The few librbd calls rados-java does not bind. */
public interface LibRbd extends Library {

    LibRbd INSTANCE = Native.load("rbd", LibRbd.class);

    /** {@code int (*cb)(uint64_t offset, size_t len, int exists, void *arg)}. */
    interface DiffCallback extends Callback {
        int invoke(long offset, NativeLong length, int exists, Pointer arg);
    }

    int rbd_diff_iterate2(Pointer image, String fromSnapName, long offset, long length, byte includeParent,
                          byte wholeObject, DiffCallback callback, Pointer arg);

    int rbd_get_id(Pointer image, byte[] id, NativeLong idLength);

    /**
     * {@code ssize_t rbd_read2(rbd_image_t image, uint64_t ofs, size_t len, char *buf, int op_flags)}:
     * reads into native memory (a direct buffer), so no byte array is filled and copied.
     */
    NativeLong rbd_read2(Pointer image, long offset, NativeLong length, Pointer buffer, int opFlags);

    /**
     * {@code int rbd_aio_create_completion(void *cb_arg, rbd_callback_t complete_cb, rbd_completion_t *c)}:
     * a completion without a callback; its owner waits for it ({@link #rbd_aio_wait_for_complete}).
     */
    int rbd_aio_create_completion(Pointer callbackArg, Callback complete, PointerByReference completion);

    /** {@code int rbd_aio_write2(image, uint64_t off, size_t len, const char *buf, rbd_completion_t c, int op_flags)}. */
    int rbd_aio_write2(Pointer image, long offset, NativeLong length, Pointer buffer, Pointer completion, int opFlags);

    /**
     * {@code int rbd_aio_write_zeroes(image, uint64_t off, size_t len, rbd_completion_t c, int zero_flags,
     * int op_flags)}: the range reads as zeros afterwards, whole objects are deallocated (unlike
     * a discard, which may skip the partial objects at the edges).
     */
    int rbd_aio_write_zeroes(Pointer image, long offset, NativeLong length, Pointer completion, int zeroFlags,
                             int opFlags);

    int rbd_aio_wait_for_complete(Pointer completion);

    /** {@code ssize_t rbd_aio_get_return_value(rbd_completion_t c)}: bytes done, or -errno. */
    NativeLong rbd_aio_get_return_value(Pointer completion);

    void rbd_aio_release(Pointer completion);

    /** {@code ssize_t rbd_write2(image, uint64_t ofs, size_t len, const char *buf, int op_flags)}. */
    NativeLong rbd_write2(Pointer image, long offset, NativeLong length, Pointer buffer, int opFlags);

    /** Makes the image's written data durable (librbd's cache, if any, is written back). */
    int rbd_flush(Pointer image);

    /** librados' hint that a read is part of a sequential scan. */
    int LIBRADOS_OP_FLAG_FADVISE_SEQUENTIAL = 0x8;
}
