package io.blockferry.scale;

import io.blockferry.transport.VolumePartitioner;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which volumes this proxy owns now: those whose id hashes to a partition of the task topic the
 * site's proxy group gave it. Whatever changes a volume's durable state (its state row, its
 * snapshots, its chunk records) asks here first, so a proxy stops touching a volume the moment
 * it loses the partition, before another proxy is given it.
 */
public final class VolumeOwnership {

    private final int partitions;
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();

    public VolumeOwnership(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("a task topic has at least one partition");
        }
        this.partitions = partitions;
    }

    public int partitions() {
        return partitions;
    }

    public int partitionOf(String volumeId) {
        return VolumePartitioner.partitionOf(volumeId, partitions);
    }

    public boolean owns(String volumeId) {
        return owned.contains(partitionOf(volumeId));
    }

    /** The proxy that owns partition 0 leads the site: it alone evaluates the schedules. */
    public boolean leads() {
        return owned.contains(0);
    }

    public Set<Integer> owned() {
        return new TreeSet<>(owned);
    }

    void gained(Collection<Integer> parts) {
        owned.addAll(parts);
    }

    void lost(Collection<Integer> parts) {
        owned.removeAll(parts);
    }
}
