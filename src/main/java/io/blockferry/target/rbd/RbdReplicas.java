package io.blockferry.target.rbd;

import io.blockferry.ceph.CephCluster;
import io.blockferry.ceph.CephException;
import io.blockferry.source.VolumeId;
import io.blockferry.target.Replicas;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Every volume's replica on one DR Ceph cluster: in the pool its source pool maps to, else the
 * default DR pool. The connection is opened once and shared by every volume's replica.
 */
public final class RbdReplicas implements Replicas, AutoCloseable {

    /** Where the DR pools are configured, for messages. */
    private static final String POOL_KEYS = "blockferry.target.dr.pool / blockferry.target.dr.pools";

    private final CephCluster dr;
    private final String defaultPool;
    private final Map<String, String> pools;
    private final int aioWindow;
    private final int writeBytes;

    /**
     * Checks that every DR pool named exists and can be opened, so a wrong pool name stops the target at
     * start, not at the first commit.
     */
    public RbdReplicas(CephCluster dr, String defaultPool, Map<String, String> pools, int aioWindow, int writeBytes) {
        this.dr = dr;
        this.defaultPool = defaultPool;
        this.pools = Map.copyOf(pools);
        this.aioWindow = aioWindow;
        this.writeBytes = writeBytes;
        for (String pool : pools()) {
            try {
                dr.pool(pool);
            } catch (CephException e) {
                throw new CephException("the DR pool of " + POOL_KEYS + " cannot be used: " + e.getMessage(),
                        e.errno(), e);
            }
        }
    }

    @Override
    public RbdReplica of(String volumeId) {
        return new RbdReplica(dr, poolOf(volumeId), volumeId, aioWindow, writeBytes);
    }

    /** The DR pool of a volume: its source pool's entry in blockferry.target.dr.pools, else the default. */
    public String poolOf(String volumeId) {
        return pools.getOrDefault(VolumeId.parse(volumeId).pool(), defaultPool);
    }

    /** Every DR pool a replica may be in. */
    public java.util.Set<String> pools() {
        Set<String> all = new LinkedHashSet<>();
        all.add(defaultPool);
        all.addAll(pools.values());
        return all;
    }

    public RbdClones clones() {
        return new RbdClones(dr);
    }

    @Override
    public void close() {
        dr.close();
    }
}
