package io.blockferry.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Waits for a condition with a bounded timeout, checking it again after a short pause. */
public final class Await {

    private static final Duration PAUSE = Duration.ofMillis(500);

    private Await() {
    }

    /**
     * Returns the first value of the probe that the condition accepts; fails, naming what was awaited
     * and the last value seen, after the timeout. The pause only spares the system under test a
     * busy loop: nothing is assumed to have happened because time passed.
     */
    public static <T> T until(Supplier<T> probe, Predicate<T> done, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        while (System.nanoTime() < deadline) {
            last = probe.get();
            if (done.test(last)) {
                return last;
            }
            LockSupport.parkNanos(PAUSE.toNanos());
        }
        throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what + "; last seen: " + last);
    }
}
