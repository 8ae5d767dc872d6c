package io.blockferry.inventory;

import io.blockferry.events.ChainBreak;
import java.util.Optional;

/**
 * Something that changed between two polls. Those that make the last snapshot useless as the base
 * of an incremental name the chain-break cause the sync pipeline should expect.
 */
public sealed interface InventoryChange {

    /** The chain-break cause (see {@link ChainBreak}) this change implies for its volume, if any. */
    default Optional<String> chainBreakHint() {
        return Optional.empty();
    }

    record ServerAdded(String serverId, String name) implements InventoryChange {
    }

    record ServerRemoved(String serverId, String name) implements InventoryChange {
    }

    record VolumeAttached(String serverId, String volumeId, String device) implements InventoryChange {
    }

    record VolumeDetached(String serverId, String volumeId, String device) implements InventoryChange {
    }

    record VolumeExtended(String volumeId, long oldSizeGb, long newSizeGb) implements InventoryChange {
        @Override
        public Optional<String> chainBreakHint() {
            return Optional.of(ChainBreak.VOLUME_RESIZED);
        }
    }

    /**
     * A new volume type. Cinder may have copied the data into a new RBD image in another pool, and
     * the base snapshot did not travel with it, so the next sync must be full.
     */
    record VolumeRetyped(String volumeId, String oldType, String newType) implements InventoryChange {
        @Override
        public Optional<String> chainBreakHint() {
            return Optional.of(ChainBreak.IMAGE_RECREATED);
        }
    }

    /** A new Cinder backend host: a migration copies the data to a new image, as a retype does. */
    record VolumeMigrated(String volumeId, String oldHost, String newHost) implements InventoryChange {
        @Override
        public Optional<String> chainBreakHint() {
            return Optional.of(ChainBreak.IMAGE_RECREATED);
        }
    }

    /**
     * A new compute host. On shared Ceph the RBD images stay where they are, so the chain holds;
     * the event still matters to operators and to the metadata published for restores.
     */
    record ServerHostChanged(String serverId, String oldHost, String newHost) implements InventoryChange {
    }
}
