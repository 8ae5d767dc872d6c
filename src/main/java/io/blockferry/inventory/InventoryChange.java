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

    /**
     * A stable kebab-case name, the cause of the inventory-change event: the record's name
     * (VolumeExtended is volume-extended), so a new kind of change cannot forget to have one.
     */
    default String kind() {
        return getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** A sentence for the operator. */
    String describe();

    /** The Cinder volume the change is about, or null for a server change. */
    default String volumeId() {
        return null;
    }

    record ServerAdded(String serverId, String name) implements InventoryChange {
        @Override
        public String describe() {
            return "server " + name + " (" + serverId + ") appeared";
        }
    }

    record ServerRemoved(String serverId, String name) implements InventoryChange {
        @Override
        public String describe() {
            return "server " + name + " (" + serverId + ") is gone; its replicas and recovery points stay";
        }
    }

    record VolumeAttached(String serverId, String volumeId, String device) implements InventoryChange {
        @Override
        public String describe() {
            return "volume " + volumeId + " was attached to server " + serverId + " as " + device;
        }
    }

    record VolumeDetached(String serverId, String volumeId, String device) implements InventoryChange {
        @Override
        public String describe() {
            return "volume " + volumeId + " was detached from server " + serverId + " (was " + device + ")";
        }
    }

    record VolumeExtended(String volumeId, long oldSizeGb, long newSizeGb) implements InventoryChange {
        @Override
        public String describe() {
            return "volume " + volumeId + " was extended from " + oldSizeGb + " to " + newSizeGb + " GiB";
        }

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
        public String describe() {
            return "volume " + volumeId + " was retyped from " + oldType + " to " + newType;
        }

        @Override
        public Optional<String> chainBreakHint() {
            return Optional.of(ChainBreak.IMAGE_RECREATED);
        }
    }

    /** A new Cinder backend host: a migration copies the data to a new image, as a retype does. */
    record VolumeMigrated(String volumeId, String oldHost, String newHost) implements InventoryChange {
        @Override
        public String describe() {
            return "volume " + volumeId + " was migrated from " + oldHost + " to " + newHost;
        }

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
        @Override
        public String describe() {
            return "server " + serverId + " moved from compute host " + oldHost + " to " + newHost;
        }
    }
}
