package io.blockferry.inventory;

import java.util.Optional;

/**
 * OpenStack on Ceph: a Cinder volume is {@code <pool of its type>/volume-<id>}, an image-booted
 * root disk {@code <ephemeral pool>/<server-uuid>_disk} (the names Cinder's and Nova's RBD drivers use).
 */
public final class CephDiskLocator implements DiskLocator {

    /** The configuration key of the volume-type to pool map, named in skip reasons. */
    static final String POOLS_KEY = "blockferry.openstack.pools";

    private final CephPoolMap pools;

    public CephDiskLocator(CephPoolMap pools) {
        this.pools = pools;
    }

    @Override
    public Optional<Location> locate(Volume volume) {
        return pools.volumePool(volume.type()).map(pool -> new Location(pool, "volume-" + volume.id()));
    }

    @Override
    public Skipped unlocated(Server server, Volume volume) {
        String type = volume.type() == null || volume.type().isEmpty() ? CephPoolMap.DEFAULT_VOLUME_TYPE : volume.type();
        return new Skipped(server.id(), volume.id(), SkipReason.VOLUME_TYPE_UNMAPPED, "volume " + volume.id()
                + " of server " + server.name() + " has volume type '" + type + "', which is not in the volume-type"
                + " to Ceph pool map: if that type's backend is Ceph RBD, add " + type + "=<pool> to "
                + POOLS_KEY + " (BLOCKFERRY_OPENSTACK_POOLS); until then it is not synced");
    }

    @Override
    public String ephemeralPool() {
        return pools.ephemeralPool();
    }
}
