package io.blockferry.source;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The proxy's read-path brake, shared by every reader thread. A bandwidth cap admits bytes at a
 * fixed rate (a token bucket with one second of burst). The seed's {@code openstack_release_cpu_time}
 * maps onto it: with N &gt; 0, each chunk read is followed by a pause of N ms per MiB, so a proxy
 * syncing N hosts gives the CPU back in proportion to N; 0 is full speed.
 */
public final class Throttle {

    private final long bytesPerSecond;
    private final long releaseNanosPerMiB;
    private final Throttle outer;
    private double available;
    private long refilledAt = System.nanoTime();

    /** @param bytesPerSecond 0 for no cap */
    public Throttle(long bytesPerSecond, int releaseCpuTime) {
        this(bytesPerSecond, releaseCpuTime, null);
    }

    private Throttle(long bytesPerSecond, int releaseCpuTime, Throttle outer) {
        if (bytesPerSecond < 0 || releaseCpuTime < 0) {
            throw new IllegalArgumentException("bandwidth and release-cpu-time must not be negative");
        }
        this.bytesPerSecond = bytesPerSecond;
        this.releaseNanosPerMiB = TimeUnit.MILLISECONDS.toNanos(releaseCpuTime);
        this.available = bytesPerSecond;
        this.outer = outer;
    }

    /**
     * A brake for one sync inside this one (a policy's own cap): reads wait for both caps, and
     * the CPU release of this one.
     */
    public Throttle within(long bytesPerSecond) {
        return bytesPerSecond <= 0 ? this : new Throttle(bytesPerSecond, 0, this);
    }

    public static Throttle unlimited() {
        return new Throttle(0, 0);
    }

    /** Blocks until {@code bytes} may be read. */
    public void acquire(long bytes) {
        if (outer != null) {
            outer.acquire(bytes);
        }
        if (bytesPerSecond > 0) {
            long wait;
            synchronized (this) {
                refill();
                available -= bytes;
                wait = available >= 0 ? 0 : (long) (-available * 1e9 / bytesPerSecond);
            }
            park(wait);
        }
    }

    /** Called after a chunk was read: yields the CPU as openstack_release_cpu_time asks. */
    public void afterRead(long bytes) {
        if (outer != null) {
            outer.afterRead(bytes);
        }
        if (releaseNanosPerMiB > 0) {
            park(releaseNanosPerMiB * bytes / (1 << 20));
        }
    }

    private void refill() {
        long now = System.nanoTime();
        available = Math.min(bytesPerSecond, available + (now - refilledAt) * bytesPerSecond / 1e9);
        refilledAt = now;
    }

    private static void park(long nanos) {
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }
}
