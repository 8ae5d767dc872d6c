package io.blockferry.source;

import java.util.List;

/**
 * One volume of a {@link BlockSource}, open for its identity, size and snapshots. Blockferry only
 * ever removes the snapshots it made (their names carry its prefix); the others are counted
 * against the platform's limit and never touched.
 */
public interface SourceVolume extends AutoCloseable {

    VolumeId id();

    /**
     * The volume's stable identity on the platform (an RBD image id, a LUN's WWN): a volume deleted
     * and created again under the same name has a new one, which breaks its snapshot chain.
     */
    String identity();

    /** The size now, in bytes. */
    long size();

    /** The names of all its snapshots, Blockferry's and others', oldest first where the platform says. */
    List<String> snapshots();

    /**
     * Takes a crash-consistent snapshot.
     *
     * @throws SnapshotLimitException when the platform refuses another snapshot (its own limit)
     */
    void createSnapshot(String name);

    void removeSnapshot(String name);

    /** Reads the volume as it was at a snapshot; close the reader after use. */
    BlockReader readerAt(String snapshot);

    /**
     * The ranges that changed from {@code fromSnapshot} to {@code toSnapshot}, in offset order; from
     * nothing ({@code fromSnapshot} null) they are every allocated range, so holes are never read.
     * A range may be reported as not existing any more (it reads as zeros now). Close after use.
     */
    ChangedBlocks changes(String fromSnapshot, String toSnapshot);

    @Override
    void close();
}
