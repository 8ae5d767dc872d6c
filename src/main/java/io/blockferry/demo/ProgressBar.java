package io.blockferry.demo;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A sync's progress bar in the terminal. On a terminal it is redrawn in place as the sync runs;
 * elsewhere (a pipe, a CI log) only its final line is printed, so a log has no carriage returns.
 */
final class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintStream out;
    private final boolean live;
    private int lastLength;

    ProgressBar(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
    }

    synchronized void show(long done, long total, double megabytesPerSecond) {
        if (!live || total <= 0) {
            return;
        }
        draw(String.format(Locale.ROOT, "%s %3d%%  %s of %s MiB  %.0f MB/s", bar(done, total), 100 * done / total,
                mib(done), mib(total), megabytesPerSecond), false);
    }

    /** The final line: every changed byte streamed, in {@code seconds}. */
    synchronized void finish(long bytes, double seconds) {
        draw(String.format(Locale.ROOT, "%s 100%%  %s MiB in %.1f s, %.0f MB/s", bar(1, 1), mib(bytes), seconds,
                bytes / 1e6 / Math.max(seconds, 1e-3)), true);
    }

    private void draw(String line, boolean end) {
        String text = "    " + line;
        if (live) {
            out.print("\r" + text + " ".repeat(Math.max(0, lastLength - text.length())));
            lastLength = text.length();
        } else {
            out.print(text);
        }
        if (end) {
            out.println();
            lastLength = 0;
        }
        out.flush();
    }

    private static String bar(long done, long total) {
        int filled = (int) (WIDTH * Math.min(done, total) / total);
        return "[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "]";
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
    }
}
