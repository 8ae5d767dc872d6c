package io.blockferry.testing;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Waits for a condition on state that has no event to wait on (the work queue's history), by
 * looking again every 100 ms until a deadline. The deadline bounds a hang; it is not a timing
 * assertion.
 */
public final class Await {

    private Await() {
    }

    public static <T> T until(Supplier<T> probe, java.util.function.Predicate<T> done, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = probe.get();
        while (!done.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not " + what + " within " + timeout.toSeconds() + " s; last seen: " + last);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting until " + what, e);
            }
            last = probe.get();
        }
        return last;
    }
}
