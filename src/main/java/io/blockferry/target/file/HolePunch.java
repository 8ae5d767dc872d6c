package io.blockferry.target.file;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Deallocates ranges of a file ({@code fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)}), so
 * a trim on the source frees the space on the target instead of writing zeros into it. The range
 * reads as zeros afterwards, as a trimmed range does on the source. Java's file API has no hole
 * punching, so libc is called through JNA (already used for librbd). Where the filesystem cannot
 * punch holes, the caller writes zeros instead.
 */
final class HolePunch {

    private interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int open(String path, int flags) throws LastErrorException;

        int fallocate(int fd, int mode, long offset, long length) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static final int O_WRONLY = 1;
    private static final int FALLOC_FL_KEEP_SIZE = 1;
    private static final int FALLOC_FL_PUNCH_HOLE = 2;
    private static final int EOPNOTSUPP = 95;

    private final int fd;
    private final Path file;

    private HolePunch(int fd, Path file) {
        this.fd = fd;
        this.file = file;
    }

    static HolePunch open(Path file) throws IOException {
        try {
            return new HolePunch(LibC.INSTANCE.open(file.toString(), O_WRONLY), file);
        } catch (LastErrorException e) {
            throw new IOException("cannot open " + file + " to free trimmed ranges: errno " + e.getErrorCode(), e);
        }
    }

    /** @return false when this filesystem cannot punch holes (the caller then writes zeros) */
    boolean punch(long offset, long length) throws IOException {
        try {
            LibC.INSTANCE.fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EOPNOTSUPP) {
                return false;
            }
            throw new IOException("freeing [" + offset + ", +" + length + ") of " + file + " failed: errno "
                    + e.getErrorCode(), e);
        }
    }

    void close() {
        try {
            LibC.INSTANCE.close(fd);
        } catch (LastErrorException e) {
            // nothing was written through this descriptor that a close could lose
        }
    }
}
