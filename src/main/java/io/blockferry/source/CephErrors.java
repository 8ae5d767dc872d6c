package io.blockferry.source;

/** Names for the errno values Ceph returns, phrased for operators. */
final class CephErrors {

    static final int ENOENT = 2;
    static final int EPERM = 1;
    static final int EIO = 5;
    static final int EACCES = 13;
    static final int EEXIST = 17;
    static final int ERANGE = 34;
    static final int ETIMEDOUT = 110;
    static final int EDQUOT = 122;

    private CephErrors() {
    }

    static final int EAGAIN = 11;
    static final int EBUSY = 16;
    static final int ESHUTDOWN = 108;
    static final int ECONNREFUSED = 111;

    /** A Ceph error worth retrying, wrapped as {@link CephTransientException}; others as {@link CephException}. */
    static CephException failure(String message, int errno, Throwable cause) {
        return switch (Math.abs(errno)) {
            case ETIMEDOUT, EAGAIN, EBUSY, ESHUTDOWN, ECONNREFUSED ->
                    new CephTransientException(message, Math.abs(errno), cause);
            default -> new CephException(message, Math.abs(errno), cause);
        };
    }

    static String describe(int errno) {
        return switch (Math.abs(errno)) {
            case ENOENT -> "no such object (ENOENT)";
            case EPERM -> "operation not permitted (EPERM)";
            case EACCES -> "permission denied (EACCES)";
            case EEXIST -> "already exists (EEXIST)";
            case ERANGE -> "out of range (ERANGE)";
            case ETIMEDOUT -> "timed out (ETIMEDOUT)";
            case EDQUOT -> "quota exceeded (EDQUOT)";
            case EIO -> "I/O error (EIO)";
            default -> "error " + Math.abs(errno);
        };
    }
}
