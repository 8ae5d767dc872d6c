package io.blockferry.testing;

import java.nio.file.Path;

/** What a file takes on disk, as {@code du} counts it: holes take nothing. */
public final class DiskUsage {

    private DiskUsage() {
    }

    /** The bytes the filesystem allocated to a file (st_blocks times the block unit). */
    public static long allocatedBytes(Path file) throws Exception {
        Process p = new ProcessBuilder("stat", "--format=%b %B", file.toString()).start();
        String[] out = new String(p.getInputStream().readAllBytes()).trim().split(" ");
        if (p.waitFor() != 0) {
            throw new IllegalStateException("stat " + file + " failed");
        }
        return Long.parseLong(out[0]) * Long.parseLong(out[1]);
    }
}
