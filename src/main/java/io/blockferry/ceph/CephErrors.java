package io.blockferry.ceph;

/** Names for the errno values Ceph returns, phrased for operators. */
public final class CephErrors {

    public static final int ENOENT = 2;
    public static final int EPERM = 1;
    public static final int EIO = 5;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int ERANGE = 34;
    public static final int ETIMEDOUT = 110;
    public static final int EDQUOT = 122;

    private CephErrors() {
    }

    public static final int EAGAIN = 11;
    public static final int EBUSY = 16;
    public static final int ESHUTDOWN = 108;
    public static final int ECONNREFUSED = 111;

    /** A Ceph error worth retrying, wrapped as {@link CephTransientException}; others as {@link CephException}. */
    public static RuntimeException failure(String message, int errno, Throwable cause) {
        return switch (Math.abs(errno)) {
            case ETIMEDOUT, EAGAIN, EBUSY, ESHUTDOWN, ECONNREFUSED ->
                    new CephTransientException(message, Math.abs(errno), cause);
            default -> new CephException(message, Math.abs(errno), cause);
        };
    }

    public static String describe(int errno) {
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
