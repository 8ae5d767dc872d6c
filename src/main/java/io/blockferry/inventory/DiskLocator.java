package io.blockferry.inventory;

import java.util.Optional;

/**
 * Where a cloud keeps its disks: the storage object behind each volume, as the source backend
 * that reads it names it. OpenStack on Ceph maps a volume type to a pool ({@link CephDiskLocator});
 * Huawei Cloud Stack names the disk itself under its backend, once its LUN is checked on the array.
 */
public interface DiskLocator {

    /**
     * A volume's storage object.
     *
     * @param pool  the pool, with the backend's scheme when it is not the default RBD one
     * @param image the object's name in the pool
     */
    record Location(String pool, String image) {
    }

    /** Where the volume lives, or empty when it cannot be synced (then {@link #unlocated} says why). */
    Optional<Location> locate(Volume volume);

    /** Why a volume of a server has no location, with the fix. */
    Skipped unlocated(Server server, Volume volume);

    /** The pool of image-booted root disks ({@code <server-uuid>_disk}). */
    String ephemeralPool();
}
