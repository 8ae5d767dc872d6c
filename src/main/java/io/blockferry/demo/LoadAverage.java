package io.blockferry.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's 1-minute load average when a row starts: the machine is shared, and a row measured
 * under load is not comparable with one measured idle.
 */
final class LoadAverage {

    private static final Path LOADAVG = Path.of("/proc/loadavg");

    private LoadAverage() {
    }

    /** The 1-minute load average, or NaN where /proc/loadavg is missing. */
    static double oneMinute() {
        try {
            return parse(Files.readString(LOADAVG));
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The first field of a /proc/loadavg line ("1.41 1.17 0.60 1/491 20297"). */
    static double parse(String line) {
        return Double.parseDouble(line.trim().split("\\s+")[0]);
    }
}
