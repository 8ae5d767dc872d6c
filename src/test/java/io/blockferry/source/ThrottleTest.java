package io.blockferry.source;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A policy's cap inside the proxy's: only lower bounds are asserted, so a slow machine cannot fail it. */
class ThrottleTest {

    private static final long MiB = 1 << 20;

    private static double secondsToRead(Throttle throttle, long bytes) {
        long start = System.nanoTime();
        for (long done = 0; done < bytes; done += MiB) {
            throttle.acquire(MiB);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    @Test
    void aPolicysCapSlowsItsSyncEvenWhenTheProxyHasNone() {
        double seconds = secondsToRead(Throttle.unlimited().within(4 * MiB), 12 * MiB);
        assertTrue(seconds >= 2.0, "4 MiB/s with one second of burst needs at least 2 s for 12 MiB; took " + seconds);
    }

    @Test
    void theProxysCapStillHoldsUnderALooserPolicyCap() {
        double seconds = secondsToRead(new Throttle(4 * MiB, 0).within(64 * MiB), 12 * MiB);
        assertTrue(seconds >= 2.0, "the proxy's 4 MiB/s applies inside a 64 MiB/s policy; took " + seconds);
    }

    @Test
    void noPolicyCapIsTheProxysThrottleItself() {
        Throttle proxy = new Throttle(4 * MiB, 0);
        assertSame(proxy, proxy.within(0));
    }
}
