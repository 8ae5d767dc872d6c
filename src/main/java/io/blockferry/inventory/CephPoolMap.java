package io.blockferry.inventory;

import io.blockferry.config.ConfigurationException;
import io.blockferry.config.Pairs;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which Ceph pool holds the disks of each Cinder volume type, as configured by the operator:
 * Cinder's API does not reveal the RBD pool behind a backend, so it is never guessed.
 */
public final class CephPoolMap {

    /** The entry used for volumes without a type. */
    public static final String DEFAULT_VOLUME_TYPE = "DEFAULT_VOLUME_TYPE";
    /** The entry for image-booted servers' root disks (Nova's images_rbd_pool). */
    public static final String CEPH_GLANCE_VMS = "CEPH_GLANCE_VMS";
    public static final String DEFAULT_VMS_POOL = "vms";

    private final Map<String, String> poolByType;

    public CephPoolMap(Map<String, String> poolByType) {
        this.poolByType = Map.copyOf(poolByType);
    }

    /**
     * Reads {@code type=pool,type=pool} (for example {@code ceph-ssd=volumes,DEFAULT_VOLUME_TYPE=volumes,
     * CEPH_GLANCE_VMS=vms}).
     *
     * @param key the configuration key it came from, named in the error
     */
    public static CephPoolMap parse(String text, String key) {
        String example = ": write volume-type=pool pairs separated by commas, e.g. ceph-ssd=volumes,"
                + DEFAULT_VOLUME_TYPE + "=volumes," + CEPH_GLANCE_VMS + "=vms";
        Map<String, String> pools;
        try {
            pools = Pairs.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(key + " is '" + text + "' (" + e.getMessage() + ")" + example);
        }
        pools.forEach((type, pool) -> {
            if (pool.contains("/")) {
                throw new ConfigurationException(key + " has the entry '" + type + "=" + pool + "', whose pool has a '/'"
                        + example);
            }
        });
        return new CephPoolMap(new LinkedHashMap<>(pools));
    }

    /** The pool of a volume type; null or empty types use the DEFAULT_VOLUME_TYPE entry. */
    public Optional<String> volumePool(String volumeType) {
        String key = volumeType == null || volumeType.isEmpty() ? DEFAULT_VOLUME_TYPE : volumeType;
        return Optional.ofNullable(poolByType.get(key));
    }

    /** Where Nova keeps image-booted root disks: the CEPH_GLANCE_VMS entry, else "vms". */
    public String ephemeralPool() {
        return poolByType.getOrDefault(CEPH_GLANCE_VMS, DEFAULT_VMS_POOL);
    }

    @Override
    public String toString() {
        return "CephPoolMap" + poolByType;
    }
}
