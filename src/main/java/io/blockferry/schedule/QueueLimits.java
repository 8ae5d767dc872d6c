package io.blockferry.schedule;

import java.time.Duration;
import java.util.Map;

/**
 * The work queue's concurrency caps.
 *
 * @param maxHosts       distinct servers with a disk in flight (the seed's 100 hosts per proxy)
 * @param maxDisks       disks in flight per proxy (23, the HCS attach limit)
 * @param maxPerPool     disks in flight per Ceph pool unless {@code poolLimits} names the pool; 0 = no cap
 * @param maxWait        how long a task may wait for a slot before it fails with queue-timeout
 * @param backendLimits  disks in flight per source backend (by the scheme of volume ids): HCS's 23
 */
public record QueueLimits(int maxHosts, int maxDisks, int maxPerPool, Map<String, Integer> poolLimits,
                          Duration maxWait, Map<String, Integer> backendLimits) {

    public QueueLimits {
        poolLimits = Map.copyOf(poolLimits);
        backendLimits = Map.copyOf(backendLimits);
        if (maxHosts < 1 || maxDisks < 1 || maxPerPool < 0 || backendLimits.values().stream().anyMatch(c -> c < 1)) {
            throw new IllegalArgumentException("queue caps must be at least 1 (per pool: 0 for no cap)");
        }
    }

    /** Without caps per backend. */
    public QueueLimits(int maxHosts, int maxDisks, int maxPerPool, Map<String, Integer> poolLimits, Duration maxWait) {
        this(maxHosts, maxDisks, maxPerPool, poolLimits, maxWait, Map.of());
    }

    int poolLimit(String pool) {
        int limit = poolLimits.getOrDefault(pool, maxPerPool);
        return limit == 0 ? Integer.MAX_VALUE : limit;
    }

    /** The disks of one backend in flight at once (HCS: 23 attached to the proxy), or no cap. */
    int backendLimit(String backend) {
        return backendLimits.getOrDefault(backend, Integer.MAX_VALUE);
    }
}
