package io.blockferry.inventory;

import io.blockferry.config.ConfigurationException;
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
        Map<String, String> pools = new LinkedHashMap<>();
        for (String entry : text.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String type = eq < 0 ? "" : entry.substring(0, eq).trim();
            String pool = eq < 0 ? "" : entry.substring(eq + 1).trim();
            if (type.isEmpty() || pool.isEmpty() || pool.contains("/")) {
                throw new ConfigurationException(key + " has the entry '" + entry.trim() + "': write volume-type=pool "
                        + "pairs separated by commas, e.g. ceph-ssd=volumes," + DEFAULT_VOLUME_TYPE + "=volumes,"
                        + CEPH_GLANCE_VMS + "=vms");
            }
            if (pools.put(type, pool) != null) {
                throw new ConfigurationException(key + " names the volume type '" + type + "' twice: keep one pool for it");
            }
        }
        return new CephPoolMap(pools);
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
