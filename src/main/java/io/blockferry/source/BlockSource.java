package io.blockferry.source;

import java.util.List;

/**
 * A configured source backend (an RBD cluster, an HCS region on Dorado): where volumes' blocks come
 * from. Implementations live in a package of their own ({@code source.rbd}, ...) and pass
 * {@code SourceVolumeContract}; the planner, the cleaner, the budget and the ack handler only see
 * this interface and {@link SourceVolume}.
 */
public interface BlockSource extends AutoCloseable {

    /** The scheme of this backend's volume ids: the name it is configured under. */
    String name();

    /** The volumes of one pool (an RBD pool, an HCS project), for policies' {@code [scheme:]pool/glob}. */
    List<VolumeId> volumes(String pool);

    /** Opens a volume's head (for its identity, size and snapshots); close it after use. */
    SourceVolume open(VolumeId id);

    /** Throws, saying why, unless the backend answers with the configured credentials (health checks). */
    void ping();

    /**
     * Removes what an earlier run left on the platform (HCS: temporary disks still attached to the
     * proxy), once at start; one line per thing found, saying what was done. Most backends leave
     * nothing behind.
     */
    default List<String> removeLeftovers() {
        return List.of();
    }

    @Override
    void close();
}
