package io.blockferry.ceph;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

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

    /** librados' hint that a read is part of a sequential scan. */
    int LIBRADOS_OP_FLAG_FADVISE_SEQUENTIAL = 0x8;
}
